"""``dist``: a verifiable release bundle per statement, made from a release build of the released
languages (never a draft, never a language in progress).

A bundle holds each language's PDF, the bilingual PDF, the HTML edition with its assets,
``SHA256SUMS`` and a JSON manifest: exactly the files the build published, each checked against
the hash its state records, never a hidden file or a link. Its bytes depend only on its contents,
so the same editions give the same zip.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import platform
import zipfile
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from .. import log, webfonts
from ..errors import PipelineError, Problem
from ..files import MAX_FONT, exclusive, read_input, remove_stale_temporaries, write_atomic
from ..model import BILINGUAL, DEFAULT_OPTIONS, PrintOptions, Target
from ..plan import Request
from ..project import ASSETS, DRAFTS, STYLESHEET, Project
from ..snapshot import digest, short_hash
from ..source import parse_statement
from ..state import read_states
from .build import build

LIBRARIES = ("weasyprint", "pydyf", "fonttools", "jinja2", "babel", "pyyaml")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # zip's epoch: no clock time in a bundle


def bundle(project: Project, statement_ids: list[str] | None = None,
           languages: list[str] | None = None, options: PrintOptions = DEFAULT_OPTIONS,
           jobs: int | None = None) -> list[Path]:
    """Build the released editions, then zip each statement's into ``dist/``."""
    root = project.root
    with exclusive(project.output_dir, root, "waiting for another build to finish"):
        remove_stale_temporaries(project.dist_dir)  # a killed bundle's half-written zip
        report = build(project, Request(tuple(statement_ids or ()), tuple(languages or ()),
                                        options=options), jobs)
        if report.refused:
            raise PipelineError.of([Problem("no bundle: every released language must be complete "
                                            "for a release (see below)"), *report.refused])
        states = read_states(project.output_dir, project.output_dir / DRAFTS)
        wanted = set(report.up_to_date) | {p.target for p in report.printed}
        _complete_statuses(project, report, wanted)
        bundles = []
        for statement_id in sorted({t.statement_id for t in wanted}):
            targets = sorted(t for t in wanted if t.statement_id == statement_id and not t.draft)
            bundles.append(_bundle(project, statement_id, targets, states, report, options))
    return bundles


def _complete_statuses(project: Project, report, wanted: set[Target]) -> None:
    """The translation status of every bundled edition's language: a build that found its
    editions up to date decided so from bytes and did not look, so look now (the manifest, and
    so the bundle's bytes, must not depend on whether the editions were just printed)."""
    from .check import check

    codes = sorted({t.variant for t in wanted if t.variant != BILINGUAL})
    missing = sorted({t.statement_id for t in wanted if any(
        (t.statement_id, code) not in report.statuses for code in codes)})
    if missing and codes:
        for edition in check(project, missing, codes).editions:
            report.statuses.setdefault((edition.statement, edition.status.language), edition.status)


def _bundle(project: Project, statement_id: str, targets: list[Target], states: dict,
            report, options: PrintOptions) -> Path:
    files: dict[str, bytes] = {}
    for target in targets:
        state = states.get(target)
        if state is None:
            raise PipelineError("has no record of how it was printed: build again, then bundle",
                                project.relative(target.paths(project.output_dir)["pdf"]))
        for kind, path in target.paths(project.output_dir).items():
            data = read_input(path, project.root, MAX_FONT, "edition")
            if data is None or hashlib.sha256(data).hexdigest() != state.files.get(kind):
                raise PipelineError("changed since it was built: build again, then bundle",
                                    project.relative(path))
            files[path.name if kind == "pdf" else f"html/{statement_id}/{path.name}"] = data
    for name, data in sorted(report.assets.items()):
        files[f"html/{ASSETS}/{name}"] = data
    for name, data in bundle_web_fonts(project, report.assets, [
            data.decode("utf-8", "replace") for name, data in files.items()
            if name.endswith(".html")]).items():
        files[f"html/{ASSETS}/{name}"] = data
    source = project.source_path(statement_id)
    statement = parse_statement(read_input(source, project.root) or b"", project.relative(source),
                                statement_id)
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                   for name, data in sorted(files.items()))
    version = short_hash(sums)[:10]
    editions = {t.variant: states[t] for t in targets}
    manifest: dict[str, Any] = {
        "statement": statement.id, "title": statement.title.value,
        "date": statement.date.isoformat(), "language": statement.language,
        "bundle_version": version,
        "source_version": next((s.source_version for s in editions.values()), None),
        "editions": {variant: {
            "pdf": Target(statement_id, variant).paths(Path("."))["pdf"].name,
            "pages": state.pages, "catalog_version": state.catalog_version,
            "languages": list(state.languages),
        } for variant, state in editions.items()},
        "translations": {code: {
            "translated": status.translated, "fuzzy": status.fuzzy,
            "untranslated": status.untranslated, "percent": round(status.percent, 1),
        } for (sid, code), status in sorted(report.statuses.items())
            if sid == statement_id and code in editions},
        "print": dataclasses.asdict(options),
        "libraries": {name: package_version(name) for name in LIBRARIES},
        "python": platform.python_version(),
    }
    if BILINGUAL in editions:
        manifest["editions"][BILINGUAL]["languages"] = list(editions[BILINGUAL].languages)
    files["manifest.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    sums += f"{hashlib.sha256(files['manifest.json']).hexdigest()}  manifest.json\n"
    files["SHA256SUMS"] = sums.encode()
    path = project.dist_dir / f"{statement_id}-{version}.zip"
    write_atomic(path, _zip(f"{statement_id}-{version}", files), project.root)
    log.info("%s: %d files, %.0f KB", project.relative(path), len(files),
             path.stat().st_size / 1024)
    return path


def bundle_web_fonts(project: Project, assets: dict[str, bytes], pages: list[str]
                     ) -> dict[str, bytes]:
    """The web fonts of a bundle's HTML editions, cut down to what its own pages show (so a
    bundle depends on its own statement only). A cut is kept in ``dist/.fonts/``, named by what
    it was cut from: the next bundle of the same text takes it instead of cutting again."""
    stylesheet = assets[STYLESHEET].decode("utf-8")
    faces = webfonts.faces(stylesheet, lambda url: assets[url], f"templates/{STYLESHEET}")
    wanted = webfonts.characters(webfonts.shown_text(page) for page in pages)
    cache = project.dist_dir / ".fonts"
    fonts = []
    for face in faces:
        keep = sorted(wanted & webfonts.cmap(face.data))
        if not keep:
            continue
        path = cache / f"{short_hash(digest(face.data), keep)}.woff2"
        data = read_input(path, project.root, MAX_FONT, "web font")
        font = webfonts.subset(face, keep) if data is None else webfonts.Subset(
            face, data, webfonts.cmap(data))
        if font is None:
            continue
        if data is None:
            write_atomic(path, font.woff2, project.root)
        fonts.append(font)
    return webfonts.asset_files(fonts)


def _zip(folder: str, files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
    return out.getvalue()
