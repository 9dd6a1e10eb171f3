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
import tempfile
import zipfile
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from .. import log, webfonts
from ..errors import PipelineError, Problem
from ..files import exclusive, remove_stale_temporaries, write_atomic
from ..fonts import fonts_of, page_text
from ..model import BILINGUAL, DEFAULT_OPTIONS, PrintOptions, Target
from ..plan import Request
from ..project import ASSETS, Project
from ..snapshot import short_hash
from ..source import Statement
from .build import PrintedEdition, Report, build

LIBRARIES = ("weasyprint", "pydyf", "fonttools", "jinja2", "babel", "pyyaml")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # zip's epoch: no clock time in a bundle


def bundle(project: Project, statement_ids: list[str] | None = None,
           languages: list[str] | None = None, options: PrintOptions = DEFAULT_OPTIONS,
           jobs: int | None = None) -> list[Path]:
    """Print the released editions afresh, in a folder of their own, then zip each statement's
    into ``dist/``: a bundle holds the bytes this run printed, never a file read back from
    ``output/`` (whose files or records may have been changed since), and its pages link only
    the editions it holds."""
    with exclusive(project.output_dir, project.root, "waiting for another build to finish"), \
            tempfile.TemporaryDirectory(prefix="dist-") as folder:
        remove_stale_temporaries(project.dist_dir)  # a killed bundle's half-written zip
        # Named in the messages as it is: the bundle's own editions, never output/'s.
        twin = dataclasses.replace(project, output=Path(folder) / "bundle")
        log.info("printing the released editions afresh for dist/ (output/ is left as it is)")
        report = build(twin, Request(tuple(statement_ids or ()), tuple(languages or ()),
                                     force=True, options=options, self_contained=True), jobs)
        plan = report.plan
        printed = {p.target: p for p in report.printed if not p.target.draft}
        if plan is None or not printed and not report.refused:
            raise PipelineError("no bundle: no released edition to bundle (is any language "
                                "listed in [tool.pipeline] released?)", "pyproject.toml")
        statements = {e.statement.id: e.statement for e in plan.editions} if plan else {}
        bundles, incomplete = [], []
        for statement_id in sorted(statements):  # a statement is bundled whole, or not at all
            codes = {code for sid, code in plan.statuses if sid == statement_id} if plan else set()
            pair = set(project.settings.bilingual)  # none: the project has no bilingual edition
            variants = codes | ({BILINGUAL} if pair and pair <= codes else set())
            if not codes or any(Target(statement_id, v) not in printed for v in variants):
                incomplete.append(statement_id)
                continue
            editions = [printed[t] for t in sorted(printed) if t.statement_id == statement_id]
            bundles.append(_bundle(project, statements[statement_id], editions, report, options))
        if report.refused:  # the complete statements are bundled; the others are reported
            raise PipelineError.of([Problem(
                "no bundle for " + (", ".join(incomplete) or "a statement that cannot be read")
                + ": every released language must be complete for a release (see below)"),
                *report.refused])
    return bundles


def _bundle(project: Project, statement: Statement, editions: list[PrintedEdition],
            report: Report, options: PrintOptions) -> Path:
    statement_id = statement.id
    files: dict[str, bytes] = {}
    for edition in editions:
        for kind, path in edition.target.paths(Path(".")).items():
            if (data := edition.files.get(kind)) is None:
                continue
            files[path.name if kind == "pdf" else f"html/{statement_id}/{path.name}"] = data
    for name, data in sorted(webfonts.for_browsers(report.assets).items()):
        files[f"html/{ASSETS}/{name}"] = data
    for name, data in bundle_web_fonts(report.assets, [
            data.decode("utf-8", "replace") for name, data in files.items()
            if name.endswith(".html")]).items():
        files[f"html/{ASSETS}/{name}"] = data
    sums = "".join(sums_line(hashlib.sha256(data).hexdigest(), name)
                   for name, data in sorted(files.items()))
    version = short_hash(sums)[:10]
    states = {e.target.variant: e.state for e in editions}
    manifest: dict[str, Any] = {
        "statement": statement.id, "title": statement.title.value,
        "date": statement.date.isoformat(),
        "updated": statement.updated.isoformat() if statement.updated else None,
        "language": statement.language,
        "bundle_version": version,
        "source_version": next((s.source_version for s in states.values()), None),
        "editions": {variant: {
            "pdf": Target(statement_id, variant).paths(Path("."))["pdf"].name,
            "pages": state.pages, "catalog_version": state.catalog_version,
            "languages": list(state.languages),
        } for variant, state in states.items()},
        "translations": {code: {
            "translated": status.translated, "fuzzy": status.fuzzy,
            "untranslated": status.untranslated, "percent": round(status.percent, 1),
        } for (sid, code), status in sorted(report.statuses.items())
            if sid == statement_id and code in states},
        "print": dataclasses.asdict(options),
        "libraries": {name: package_version(name) for name in LIBRARIES},
        "python": platform.python_version(),
    }
    files["manifest.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    sums += sums_line(hashlib.sha256(files["manifest.json"]).hexdigest(), "manifest.json")
    files["SHA256SUMS"] = sums.encode()
    path = project.dist_dir / f"{statement_id}-{version}.zip"
    data = _zip(f"{statement_id}-{version}", files)
    write_atomic(path, data, project.root)
    log.info("%s: %d files, %.0f KB", project.relative(path), len(files), len(data) / 1024)
    return path


def sums_line(sha: str, name: str) -> str:
    """One line of ``SHA256SUMS`` as GNU ``sha256sum`` writes it: a name holding a backslash or
    a line break is escaped, and its line starts with a backslash (``sha256sum -c`` reads it
    back). Template file names with control characters are refused before this, so no other
    character needs escaping."""
    if "\\" in name or "\n" in name or "\r" in name:
        escaped = name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return f"\\{sha}  {escaped}\n"
    return f"{sha}  {name}\n"


def bundle_web_fonts(assets: dict[str, bytes], pages: list[str]) -> dict[str, bytes]:
    """The web fonts of a bundle's HTML editions, cut in this run from the repository's fonts
    down to what its own pages show (so a bundle depends on its own statement only)."""
    wanted = webfonts.characters(page_text(page).shown for page in pages)
    fonts = []
    for face in fonts_of(assets).faces:
        keep = sorted(wanted & face.cmap)
        if keep and (font := webfonts.subset(face, keep)) is not None:
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
