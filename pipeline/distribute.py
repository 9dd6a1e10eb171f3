"""Handing editions out: a verifiable release bundle per statement, and page previews.

A bundle is only ever made from a release build (no draft, every language complete): it holds
each language's PDF, the bilingual PDF, the HTML edition with its assets, ``SHA256SUMS`` and a
JSON manifest. Its bytes depend only on its contents, so the same editions give the same zip.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import platform
import shutil
import subprocess
import zipfile
from importlib.metadata import version as package_version
from pathlib import Path

from . import log
from .build import ASSETS_DIR, Target, build, check, recorded_states, short_hash
from .errors import PipelineError, PipelineErrors
from .files import exclusive, write_atomic
from .pdf import DEFAULT_OPTIONS, PrintOptions
from .project import Project
from .source import load_statements

LIBRARIES = ("weasyprint", "pydyf", "fonttools", "jinja2", "babel", "pyyaml")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # zip's epoch: no clock time in a bundle


def bundle(project: Project, statement_ids: list[str] | None = None,
           options: PrintOptions = DEFAULT_OPTIONS, jobs: int | None = None) -> list[Path]:
    """Build every edition for release, then zip each statement's into ``dist/``."""
    with exclusive(project.output_dir, "waiting for another build to finish"):
        report = build(project, statement_ids, options=options, jobs=jobs)
        if report.refused:
            raise PipelineErrors([PipelineError(
                "no bundle: every language must be complete for a release (see below)")]
                + report.refused)
        return _bundle(project, statement_ids, options, {r.target for r in report.built})


def _bundle(project: Project, statement_ids: list[str] | None, options: PrintOptions,
            built: set[str]) -> list[Path]:
    statuses = {(r.statement, r.status.code): r.status for r in check(project, statement_ids)}
    states = {(s["statement"], s["variant"]): s for s in recorded_states(project.output_dir)}
    bundles = []
    for statement in load_statements(project, statement_ids):
        editions = sorted(variant for sid, variant in states
                          if sid == statement.id and f"{sid}.{variant}" in built)
        files: dict[str, bytes] = {}
        for variant in editions:
            state = states[(statement.id, variant)]
            paths = Target(statement.id, variant).paths(project.output_dir)
            for kind, path in paths.items():
                data = path.read_bytes()
                if state.get("draft") or hashlib.sha256(data).hexdigest() != state["files"][kind]:
                    raise PipelineError("changed since it was built: build again, then bundle",
                                        project.relative(path))
                files[path.name if kind == "pdf" else f"html/{statement.id}/{path.name}"] = data
        assets = project.output_dir / ASSETS_DIR
        for path in sorted(assets.rglob("*")):
            if path.is_file():
                files[f"html/{ASSETS_DIR}/{path.relative_to(assets).as_posix()}"] = path.read_bytes()
        sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                       for name, data in sorted(files.items()))
        version = short_hash(sums)[:10]
        manifest = {
            "statement": statement.id, "title": statement.title.value,
            "date": statement.date.isoformat(), "language": statement.language,
            "bundle_version": version,
            "source_version": next((s["source_version"] for (sid, _), s in states.items()
                                    if sid == statement.id), None),
            "editions": {variant: {
                "pdf": Target(statement.id, variant).paths(Path("."))["pdf"].name,
                "pages": states[(statement.id, variant)].get("pages"),
                "catalog_version": states[(statement.id, variant)].get("catalog_version"),
                "languages": states[(statement.id, variant)].get("languages") or [variant],
            } for variant in editions},
            "translations": {code: {
                "translated": status.translated, "fuzzy": status.fuzzy,
                "untranslated": status.untranslated, "percent": round(status.percent, 1),
            } for (sid, code), status in sorted(statuses.items()) if sid == statement.id},
            "print": dataclasses.asdict(options),
            "libraries": {name: package_version(name) for name in LIBRARIES},
            "python": platform.python_version(),
        }
        files["manifest.json"] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
        sums += f"{hashlib.sha256(files['manifest.json']).hexdigest()}  manifest.json\n"
        files["SHA256SUMS"] = sums.encode()
        path = project.root / "dist" / f"{statement.id}-{version}.zip"
        write_atomic(path, _zip(f"{statement.id}-{version}", files), project.root)
        log.info("%s: %d files, %.0f KB", project.relative(path), len(files),
                 path.stat().st_size / 1024)
        bundles.append(path)
    return bundles


def _zip(folder: str, files: dict[str, bytes]) -> bytes:
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
    return out.getvalue()


def preview(project: Project, into: Path | None = None, resolution: int = 50) -> list[Path]:
    """A PNG of the first page of every PDF in ``output/``, for reviewers and the README."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise PipelineError("previews need poppler's pdftoppm: install it with "
                            "`apt-get install poppler-utils`")
    made = []
    for state in recorded_states(project.output_dir):
        target = Target(state["statement"], state["variant"])
        pdf = target.paths(project.output_dir)["pdf"]
        folder = into or pdf.parent
        folder.mkdir(parents=True, exist_ok=True)
        png = folder / f"{target.name}.png"
        result = subprocess.run([pdftoppm, "-png", "-r", str(resolution), "-f", "1", "-l", "1",
                                 "-singlefile", str(pdf), str(png.with_suffix(""))],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise PipelineError(f"pdftoppm failed: {result.stderr.strip()}", project.relative(pdf))
        made.append(png)
        log.info("%s", project.relative(png))
    return made
