// pa11y and Lighthouse on a list of pages, in one Chromium: what tests/webcheck.py's `audit` runs.
//
//   node tests/webaudit.mjs REQUEST.json > REPORT.json
//
// REQUEST: {"chromium": "/usr/bin/chromium", "args": [...], "urls": [...], "origin":
// "http://127.0.0.1:PORT", "pa11y": {...options}, "lighthouse": {...flags} or null}.
// REPORT: {"pages": {URL: {"pa11y": [issue, ...], "lighthouse": {"scores": {category: score},
// "failed": [audit, ...], "requests": [url, ...]}}}, "outside": [url, ...]}.
//
// The tools come from node_modules (package-lock.json pins them; `npm ci --ignore-scripts`, so
// Puppeteer downloads no browser of its own): Chromium is the one the request names. Chromium
// resolves no host name but 127.0.0.1 (any other request fails at once, and is reported in
// "outside"). Progress goes to stderr, the report alone to stdout.

import fs from 'node:fs';
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);
const pa11y = require('pa11y');
const puppeteer = require('puppeteer');
const {default: lighthouse} = await import('lighthouse');

const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf-8'));
const log = message => process.stderr.write(`webaudit: ${message}\n`);
const outside = [];
const isOutside = url => !url.startsWith(`${request.origin}/`) && !/^(data|blob|about|chrome[-a-z]*):/.test(url);

const browser = await puppeteer.launch({
	executablePath: request.chromium,
	headless: true,
	pipe: false, // Lighthouse connects to the same browser through its debugging port
	args: [...request.args.filter(arg => arg !== '--headless'),
		'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
const port = Number(new URL(browser.wsEndpoint()).port);
const pages = {};
try {
	const tab = await browser.newPage();
	tab.on('request', sent => {
		if (isOutside(sent.url())) {
			outside.push(sent.url());
		}
	});
	for (const url of request.urls) {
		const found = {pa11y: null, lighthouse: null};
		if (request.pa11y) {
			log(`pa11y ${url}`);
			const result = await pa11y(url, {...request.pa11y, browser, page: tab, log: {
				debug: () => {}, info: () => {}, error: message => log(`pa11y: ${message}`)}});
			found.pa11y = result.issues;
		}
		if (request.lighthouse) {
			log(`lighthouse ${url}`);
			const result = await lighthouse(url, {...request.lighthouse, port, hostname: '127.0.0.1',
				output: 'json', logLevel: 'error'});
			const lhr = result.lhr;
			if (lhr.runtimeError) {
				throw new Error(`Lighthouse on ${url}: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
			}
			const audited = new Set(Object.values(lhr.categories).flatMap(c => c.auditRefs.map(a => a.id)));
			const failed = [...audited].map(id => lhr.audits[id]).filter(audit =>
				audit.score !== null && audit.score < 1 && !['manual', 'informative', 'notApplicable'].includes(audit.scoreDisplayMode))
				.map(audit => ({id: audit.id, title: audit.title, score: audit.score,
					explanation: audit.explanation ?? null,
					items: (audit.details?.items ?? []).slice(0, 5).map(item => JSON.stringify(item).slice(0, 300))}));
			const requests = (lhr.audits['network-requests']?.details?.items ?? []).map(item => item.url);
			outside.push(...requests.filter(isOutside));
			found.lighthouse = {
				scores: Object.fromEntries(Object.entries(lhr.categories).map(([id, c]) => [id, c.score])),
				failed, requests,
				warnings: lhr.runWarnings,
			};
		}
		pages[url] = found;
	}
} finally {
	await browser.close();
}
process.stdout.write(JSON.stringify({pages, outside}));
