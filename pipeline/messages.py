"""What is to be translated: every statement's texts and the templates' own words.

A message is identified by its whitespace-normalised text and a context naming its role
(``title``, ``paragraph``, ``signatory``...), so re-wrapping the YAML changes nothing and an
organisation's name never collides with a sentence. ``extract_statement`` is the Babel extractor
for statement files (entry point ``statement``), so ``pybabel extract -F babel.cfg`` and
``python -m pipeline extract`` find the same messages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from .errors import PipelineError
from .project import DOMAIN, Project
from .source import Statement, parse_statement

COMMENT_TAGS = ("Translators:",)
"""Comments in templates starting with this tag reach the translator (``pybabel extract -c``)."""


@dataclass(frozen=True)
class SourceMessage:
    context: str
    id: str
    line: int
    comment: str


def statement_messages(statement: Statement) -> list[SourceMessage]:
    """The statement's translatable texts, each with the comment the translator sees."""
    messages = [SourceMessage("title", statement.title.value, statement.title.line,
                              "The statement's title, also printed at the top of every page.")]
    if statement.subtitle:
        messages.append(SourceMessage("subtitle", statement.subtitle.value, statement.subtitle.line,
                                      "The line printed above the title."))
    messages.append(SourceMessage(
        "issuer", statement.issuer.value, statement.issuer.line,
        "Who issues the statement: printed at the foot of every page and recorded as the PDF's author."))
    total = len(statement.body)
    messages += [SourceMessage("paragraph", text.value, text.line, f"Paragraph {n} of {total}.")
                 for n, text in enumerate(statement.body, 1)]
    total = len(statement.signatories)
    messages += [SourceMessage(
        "signatory", text.value, text.line,
        f"Signatory {n} of {total}: the name of an organisation. Write it as the organisation "
        "itself writes it in your language; a name written only in Latin letters stays as it is.")
        for n, text in enumerate(statement.signatories, 1)]
    return messages


def extract_statement(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor for ``sources/*.yaml``: yields ``(line, 'pgettext', (context, id), comments)``."""
    name = getattr(fileobj, "name", "statement.yaml")
    statement = parse_statement(fileobj.read(), str(name), Path(str(name)).stem)
    for message in statement_messages(statement):
        yield message.line, "pgettext", (message.context, message.id), [message.comment]


def read_mapping(project: Project):
    """The extraction mapping of ``babel.cfg``: which extractor reads which files."""
    import configparser

    path = project.root / "babel.cfg"
    try:
        with path.open(encoding="utf-8") as fileobj:
            return parse_mapping_cfg(fileobj, filename=str(path))
    except OSError as error:
        raise PipelineError(f"cannot read the extraction mapping: {error.strerror}",
                            "babel.cfg") from None
    except (configparser.Error, ValueError, UnicodeDecodeError) as error:
        line = getattr(error, "lineno", None)
        raise PipelineError(f"the extraction mapping is not valid: {error}", "babel.cfg",
                            line) from None


def extract_template(project: Project) -> Catalog:
    """Every message of every statement and template, as the message template (POT)."""
    catalog = Catalog(project=DOMAIN, version=None, copyright_holder="the statement's authors",
                      charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in _extracted(project):
        catalog.add(message, None, [(Path(filename).as_posix(), lineno)],
                    auto_comments=comments, context=context)
    return catalog


_last_extraction: tuple[str, list] = ("", [])


def _extracted(project: Project) -> list:
    """What Babel extracts, kept while no input file changes (a watcher extracts on every save,
    mostly for a catalog edit that changes no message)."""
    global _last_extraction
    key = _inputs_key(project)
    if _last_extraction[0] == key:
        return _last_extraction[1]
    method_map, options_map = read_mapping(project)
    current: list[str] = []  # the file being read, for a message that names it

    def remember(filename, method, options):
        current[:] = [filename]

    try:
        extracted = list(extract_from_dir(
            str(project.root), method_map, options_map, keywords=DEFAULT_KEYWORDS,
            comment_tags=COMMENT_TAGS, strip_comment_tags=True, callback=remember))
    except PipelineError:
        raise
    except Exception as error:  # a template the Jinja extractor cannot parse
        message = getattr(error, "message", None) or str(error)
        raise PipelineError(f"template error: {message}", current[0] if current else "babel.cfg",
                            getattr(error, "lineno", None)) from None
    if _inputs_key(project) == key:  # nothing was saved meanwhile: safe to keep
        _last_extraction = (key, extracted)
    return extracted


def _inputs_key(project: Project) -> str:
    digest = hashlib.sha256()
    for path in [project.root / "babel.cfg", *sorted(project.sources_dir.glob("*.yaml")),
                 *sorted(p for p in project.templates_dir.rglob("*.j2") if p.is_file())]:
        digest.update(str(path).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()
