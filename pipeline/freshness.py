"""Deciding what is out of date, cheaply: fingerprints of an edition's inputs, and the state
recorded beside each edition when it was written.

Nothing here imports Babel's catalogs, Jinja or WeasyPrint, so a build with nothing to do
finishes before any of them is loaded.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

from . import __version__, log
from .errors import PipelineError
from .files import write_atomic
from .pdf import PrintOptions
from .project import STATEMENT_ID, Project


def short_hash(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else json.dumps(
            part, ensure_ascii=False, sort_keys=True, default=str).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Target:
    """One file pair in ``output/<statement>/``: a language's edition, or the bilingual one."""

    statement_id: str
    variant: str  # a language code, or "bilingual"

    @property
    def name(self) -> str:
        return f"{self.statement_id}.{self.variant}"

    def paths(self, output_dir: Path) -> dict[str, Path]:
        folder = output_dir / self.statement_id
        return {"html": folder / f"{self.name}.html", "pdf": folder / f"{self.name}.pdf"}

    def state_path(self, output_dir: Path) -> Path:
        return output_dir / self.statement_id / f".{self.name}.state.json"


def template_files(project: Project) -> list[Path]:
    """The templates, stylesheet, fonts and licence: not an editor's swap or backup files."""
    return [p for p in sorted(project.templates_dir.rglob("*")) if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(project.templates_dir).parts)
            and not p.name.endswith(("~", ".swp", ".tmp", ".bak"))]


def inputs_hash(project: Project) -> str:
    """Templates, stylesheet, fonts and the pipeline's own code: what every edition depends on."""
    files = [(p.relative_to(project.templates_dir).as_posix(), p) for p in template_files(project)]
    files += [(f"pipeline/{p.name}", p) for p in sorted(Path(__file__).parent.glob("*.py"))]
    return short_hash(*[(name, file_hash(p)) for name, p in files])


def quick_fingerprints(project: Project, look: str, sources: dict[str, str],
                       catalog_bytes: dict[str, bytes], draft: bool,
                       options: PrintOptions) -> dict[Target, str]:
    """A cheap first check, from the raw bytes of every input: when none changed, nothing needs
    reading, extracting or rendering. (A change that turns out not to matter, such as a
    translation of another statement in the same catalog, is caught by the precise check.)"""
    common = short_hash(look, file_hash(project.root / "babel.cfg"),
                        project.formatting_locales, project.bilingual, versions(), draft,
                        options)
    codes = list(catalog_bytes)
    catalogs = {code: hashlib.sha256(data).hexdigest() for code, data in catalog_bytes.items()}
    quick = {}
    for statement_id, source in sources.items():
        for code in codes:
            quick[Target(statement_id, code)] = short_hash(common, source, catalogs[code])
        if len([code for code in project.bilingual if code in codes]) >= 2:
            quick[Target(statement_id, "bilingual")] = short_hash(common, source, catalogs)
    return quick


def file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""  # read_catalog says what is wrong


@functools.cache
def versions() -> list[str]:
    """The pipeline's and its libraries' versions, from the files that declare them (cheaper
    than asking the package metadata, and any upgrade changes them)."""
    found = [__version__]
    for name in ("weasyprint", "pydyf", "pyphen", "fontTools", "babel", "jinja2"):
        spec = importlib.util.find_spec(name)
        found.append(file_hash(Path(spec.origin)) if spec and spec.origin else "")
    return found


def recorded_states(output_dir: Path) -> list[dict]:
    """What the editions in an output folder were built from, as their state files say."""
    states = []
    for path in sorted(output_dir.glob("*/.*.state.json")):
        try:
            state = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(state, dict) and {"statement", "variant", "files", "draft",
                                        "options"} <= state.keys():
            states.append(state)
    return states


def up_to_date(project: Project, target: Target, fingerprint: str,
                kind: str = "fingerprint") -> bool:
    try:
        state = json.loads(target.state_path(project.output_dir).read_text("utf-8"))
        if not fingerprint or state.get(kind) != fingerprint:
            return False
        return all(hashlib.sha256(path.read_bytes()).hexdigest() == state["files"][name]
                   for name, path in target.paths(project.output_dir).items())
    except (OSError, ValueError, KeyError, TypeError):
        return False




def remember_quick(project: Project, target: Target, quick: str) -> None:
    """An edition found up to date by the precise check keeps the new cheap fingerprint."""
    path = target.state_path(project.output_dir)
    state = json.loads(path.read_text("utf-8"))
    if state.get("quick") != quick:
        state["quick"] = quick
        write_atomic(path, json.dumps(state, indent=1, ensure_ascii=False).encode(),
                     project.output_dir)


def nothing_to_do(project: Project, statement_ids: list[str] | None, languages: list[str] | None,
                  draft: bool, options: PrintOptions) -> list[Target] | None:
    """The editions asked for when every one is already what its inputs give (else None): the
    fast path of a build, taken before anything heavy is imported."""
    # A source unchanged since its editions were printed was valid then: no need to parse it.
    try:
        paths = ([project.source_path(s) for s in statement_ids] if statement_ids
                 else project.source_paths())
        codes = project.select_languages(languages)
    except PipelineError:
        return None  # the full build reports every problem
    if not paths or not all(STATEMENT_ID.fullmatch(path.stem) for path in paths):
        return None
    quick = quick_fingerprints(project, inputs_hash(project),
                               {path.stem: file_hash(path) for path in paths},
                               {code: read_bytes(project.catalog_path(code)) for code in codes},
                               draft, options)
    if not all(up_to_date(project, target, value, "quick") for target, value in quick.items()):
        return None
    for target in quick:
        log.info("%s: up to date", target.name)
    return list(quick)
