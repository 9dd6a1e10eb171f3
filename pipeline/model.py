"""The vocabulary the stages share: which edition, printed how, from which versions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .project import DRAFTS

BILINGUAL = "bilingual"


@dataclass(frozen=True, order=True)
class Target:
    """One edition of one statement: a language's, or the bilingual one; a release or a draft."""

    statement_id: str
    variant: str  # a language code, or "bilingual"
    draft: bool = False

    @property
    def name(self) -> str:
        return f"{self.statement_id}.{self.variant}"

    def folder(self, output_dir: Path) -> Path:
        return (output_dir / DRAFTS if self.draft else output_dir) / self.statement_id

    def paths(self, output_dir: Path) -> dict[str, Path]:
        folder = self.folder(output_dir)
        return {"html": folder / f"{self.name}.html", "pdf": folder / f"{self.name}.pdf",
                "png": folder / f"{self.name}.png"}  # the share image

    @property
    def page(self) -> str:
        """The edition's HTML file, its path below output/ (what its links are relative to)."""
        return f"{DRAFTS + '/' if self.draft else ''}{self.statement_id}/{self.name}.html"

    def state_path(self, output_dir: Path) -> Path:
        return self.folder(output_dir) / f".{self.name}.state.json"

    @property
    def assets_url(self) -> str:
        """Where the edition's HTML finds the stylesheet and fonts, relative to its folder."""
        return "../../_assets" if self.draft else "../_assets"


PAPER_SIZES = ("A4", "A5", "A3", "letter", "legal")


@dataclass(frozen=True)
class PrintOptions:
    """How an edition is printed: paper size, bleed with crop marks, PDF variant."""

    paper: str = "A4"
    bleed: str | None = None
    archival: bool = False  # PDF/A-3a, still tagged and accessible
    print_shop: bool = False  # PDF/X-1a: text on the black plate, registration crop marks

    @property
    def pdf_variant(self) -> str:
        if self.print_shop:
            return "pdf/x-1a"
        return "pdf/a-3a" if self.archival else "pdf/ua-1"


DEFAULT_OPTIONS = PrintOptions()


@dataclass(frozen=True)
class Provenance:
    """Which source text and which translations an edition was printed from."""

    source_version: str
    catalog_version: str
    sides: tuple[str, ...] = ()  # the bilingual edition's two catalog versions, left and right


@dataclass(frozen=True)
class Alternate:
    """Another language's edition of the same statement, for the language switcher."""

    code: str
    tag: str
    name: str
    href: str
    current: bool = False
