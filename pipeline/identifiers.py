"""What a statement identifier and a language code may be: they name files and folders, so
nothing else gets near the file system."""

from __future__ import annotations

import importlib.util
import os
import re

from .errors import PipelineError

STATEMENT_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:_[A-Z][a-z]{3})?(?:_(?:[A-Z]{2}|[0-9]{3}))?")


RESERVED = {
    "drafts": "output/drafts/ holds the drafts",
    "index": "output/index.html is the list of every statement",
    "assets": "output/_assets/ holds the stylesheet and fonts",
}
"""Identifiers the build keeps for what it writes in ``output/`` beside the statements' folders
(``project.DRAFTS``, the index, ``project.ASSETS``; hidden files and ``_`` names cannot be
identifiers at all): a statement of that name would be published inside them."""


def statement_id_problem(statement_id: str) -> str | None:
    if not (STATEMENT_ID.fullmatch(statement_id) and len(statement_id) <= 100):
        return (f"{statement_id!r} is not a valid statement identifier: use lower-case letters, "
                "digits and single hyphens, such as 'sochi-2018'")
    if statement_id in RESERVED:
        return (f"{statement_id!r} is a name the build keeps for itself ({RESERVED[statement_id]}): "
                f"give the statement another identifier, such as '{statement_id}-2024'")
    return None


def language_problem(code: str) -> str | None:
    """Why ``code`` is not a language code as gettext folders name them (``ar``, ``pt_BR``) and
    CLDR knows, or None."""
    if LANGUAGE_CODE.fullmatch(code) and cldr_has(code):
        return None
    return (f"{code!r} is not a language code known to CLDR: use a code such as 'ar', 'fa', "
            "'fr' or 'pt_BR'")


def cldr_has(name: str) -> bool:
    """Whether Babel's CLDR data has the locale ``name`` (as ``babel.localedata.exists`` says):
    its data file is looked for first, so that a run with nothing to do loads no Babel."""
    spec = importlib.util.find_spec("babel")
    if spec is not None and spec.origin is not None and os.path.isfile(
            os.path.join(os.path.dirname(spec.origin), "locale-data", f"{name}.dat")):
        return True
    from babel import localedata

    return localedata.exists(name)


def check_statement_id(statement_id: str, file: str | None = None, line: int | None = None) -> str:
    if message := statement_id_problem(statement_id):
        raise PipelineError(message, file, line)
    return statement_id


def check_language_code(code: str, file: str | None = None, line: int | None = None) -> str:
    if message := language_problem(code):
        raise PipelineError(message, file, line)
    return code
