"""The web site around the editions: ``output/_assets`` (the stylesheet, fonts and licence the
HTML editions use, and nothing else) and ``output/index.html`` (every statement and its released
editions). Drafts are never listed."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import PipelineError
from .files import (
    MAX_FONT,
    PublishedDigests,
    display,
    files_below,
    list_folder,
    publish,
    read_published,
    remove_unlisted,
    write_atomic,
)
from .model import BILINGUAL
from .project import ASSETS, DRAFTS, INDEX_TEMPLATE, TEMPLATE_LANGUAGE, Project
from .snapshot import Snapshot, digest, short_hash
from .state import EditionState

if TYPE_CHECKING:  # making the site: imported where it is used, so that deciding whether the
    # site is current (from bytes alone) loads no template engine, font tool or CLDR
    from . import webfonts
    from .catalogs.pofile import PoCatalog
    from .fonts import Face
    from .render import Words

SITE_STATE = ".site.state.json"
WEBFONT_CACHE = ".webfonts"
"""In ``output/``: the web fonts of the last few character sets each face was cut to (not
published: no page links them), so that a build whose pages show again characters they showed
before (an index's "behind" mark that comes and goes) takes the font cut then instead of cutting
it again. Each file's name carries a digest of its bytes; the site state records each face's."""
CACHED_CUTS = 4
"""How many cuts of each face the cache keeps, the latest first."""


@dataclass(frozen=True)
class IndexEdition:
    """One released edition as the index lists it."""

    statement_id: str
    variant: str
    title: str  # in the edition's language
    languages: tuple[str, ...]
    locales: tuple[str, ...]
    kept: bool = False  # the earlier edition, kept while a new one is refused
    source_version: str = ""  # the version of the statement's text it shows
    as_of: str = ""  # the date of that text (its statement's `updated`, or its date), in words


@dataclass
class Site:
    """What ``output/`` holds beside the editions: its files by name, and the hash of the inputs
    they were made from."""

    files: dict[str, bytes] = field(default_factory=dict)
    inputs_hash: str = ""
    kept: dict[str, str] = field(default_factory=dict)
    """Files published before and kept as they are (by name, with their hashes): the assets,
    while an edition printed with them is kept; the web fonts, while the pages show the same
    characters."""
    webfonts: dict[str, dict[str, object]] = field(default_factory=dict)
    """For each face, the characters its web font was cut to (a hash), its file and range."""
    cached: dict[str, list[list[str]]] = field(default_factory=dict)
    """For each face, its latest cuts (key, file, range) kept in ``WEBFONT_CACHE``."""
    cache: dict[str, bytes] | None = field(default_factory=dict)
    """The web fonts cut or taken in this build, by name, for ``WEBFONT_CACHE`` (None: no font
    was looked at, the cache stays as it is)."""


def asset_files(snapshot: Snapshot) -> dict[str, bytes]:
    """The stylesheet, fonts and licence, by their path below ``_assets``."""
    return {name: item.data for name, item in snapshot.templates.items()
            if not name.endswith(".j2")}


def linkable_assets(snapshot: Snapshot) -> frozenset[str]:
    """The files below ``_assets`` a page may link: what ``make_site`` publishes there for
    browsers (``webfonts.for_browsers``: not the full fonts, the print-shop stylesheet or the
    colour profiles, which only printing reads) and the web fonts' stylesheet."""
    from . import webfonts

    return frozenset({*webfonts.for_browsers(asset_files(snapshot)), *webfonts.asset_files([])})


LINK_ATTRIBUTES = frozenset({"href", "src", "poster", "data", "background", "xlink:href",
                             "action", "formaction", "manifest", "cite"})
"""The attributes of a page that hold one address (a browser fetches or follows it)."""
SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})
"""The attributes that hold a list of candidates (``a.png 1x, b.png 2x``)."""


def page_links(html: str) -> tuple[list[str], str | None]:
    """Every address a page gives, as written (entities decoded), in its order: the link
    attributes, each candidate of a ``srcset``, and each ``url()``, ``@import`` and string of its
    ``<style>`` elements and ``style`` attributes (tinycss2, as the fonts are read); and its
    ``<base href>``, which the others are resolved against, if it has one."""
    from html.parser import HTMLParser

    from .fonts import urls_in

    found: list[str] = []
    base: list[str] = []

    def css(text: str, declarations: bool = False) -> None:
        import tinycss2

        found.extend(urls_in(tinycss2.parse_blocks_contents(text) if declarations
                             else tinycss2.parse_stylesheet(text), strings=True))

    class Links(HTMLParser):
        in_style = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.in_style = tag == "style"
            for name, value in attrs:
                if not value:
                    continue
                if tag == "base" and name == "href":
                    base.append(value)
                elif name in LINK_ATTRIBUTES:
                    found.append(value)
                elif name in SRCSET_ATTRIBUTES:
                    found.extend(part.split()[0] for part in value.split(",") if part.split())
                elif name == "style":
                    css(value, declarations=True)

        def handle_endtag(self, tag: str) -> None:
            self.in_style = False

        def handle_data(self, data: str) -> None:
            if self.in_style:
                css(data)

    parser = Links(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return found, base[0] if base else None


C0_AND_SPACE = "".join(map(chr, range(0x21)))
"""What a browser strips from both ends of an address."""


def unpublished_links(html: str, page: str, linkable: frozenset[str],
                      site_url: str | None = None) -> list[tuple[str, str]]:
    """The files below ``_assets`` that a page (``page``, its path below output/: ``index.html``,
    ``x/x.en.html``) links and the site does not publish, in the page's order, each with the
    address as the page writes it. Each address is read as a browser does (spaces around it and
    tabs and line breaks in it dropped, ``\\`` a slash, percent-escapes decoded, ``.`` and ``..``
    resolved against the page's folder or its ``<base>``); one of ``site_url`` is the site's own."""
    import posixpath
    import re
    from urllib.parse import unquote, urlsplit

    def resolved(written: str, folder: str) -> str | None:
        """The path below output/ an address goes to, or None: another site's, or the
        server's root (the site's own is ``site_url``)."""
        address = re.sub(r"[\t\n\r]", "", written).strip(C0_AND_SPACE).replace("\\", "/")
        if site_url and address.startswith(site_url):
            address, folder = address[len(site_url):], ""
        parts = urlsplit(address)
        if parts.scheme or parts.netloc or address.startswith("/"):
            return None
        return posixpath.normpath(posixpath.join(folder, unquote(parts.path)))

    links, base = page_links(html)
    folder: str | None = posixpath.dirname(page)
    if base is not None and folder is not None:  # "x/" and "x/page.html" are the folder x
        below = resolved(base.strip(C0_AND_SPACE) + "x", folder)
        folder = None if below is None else posixpath.dirname(below)
    found: list[tuple[str, str]] = []
    for written in links:
        path = None if folder is None else resolved(written, folder)
        if path is None:
            continue
        file = path.removeprefix(f"{ASSETS}/")
        if file != path and file not in linkable and file not in (f for f, _ in found):
            found.append((file, written))
    return found


def unpublished_refusal(snapshot: Snapshot, what: str,
                        links: list[tuple[str, str]], fallback: str,
                        template: str | None = None) -> PipelineError:
    """A page that links a file of templates/ only printing reads (``_assets``, which its links
    go to, does not hold it), named at the template's line that writes the link (``template``
    searched first), else ``fallback``."""
    file, written = links[0]
    message = (f"{what}: its page links {ASSETS}/{file}, which only printing reads and {ASSETS} "
               "does not publish (a full font, the print-shop stylesheet, a colour profile): link "
               "statement.css or webfonts.css, or a file the stylesheet itself names")
    tail = written.strip().split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    needles = [needle for needle in dict.fromkeys([tail, file.rsplit("/", 1)[-1]]) if needle]
    templates = sorted(snapshot.templates.items(), key=lambda item: item[0] != template)
    for needle in needles:
        for name, item in templates:
            text = item.data.decode("utf-8", "replace")
            if name.endswith(".j2") and (position := text.find(needle)) >= 0:
                return PipelineError(message, item.name, text.count("\n", 0, position) + 1)
    return PipelineError(message, fallback)


def index_listing(editions: list[IndexEdition],
                  sources: dict[str, tuple[str, tuple[str, str]]],
                  updates: dict[str, tuple[str, str] | None] | None = None
                  ) -> list[dict[str, object]]:
    """The index's entries: a statement each, its editions in the source language first;
    ``updates`` gives a statement's ``updated`` date (ISO, and as the index writes it)."""
    from babel import Locale

    from .language import language

    english = Locale.parse("en")
    listing = []
    for statement_id in sorted({e.statement_id for e in editions}):
        own = [e for e in editions if e.statement_id == statement_id]
        entry: dict[str, object] = {"id": statement_id, "bilingual": None, "bilingual_names": "",
                                    "bilingual_kept": False, "bilingual_version": "",
                                    "bilingual_as_of": ""}
        rows = []
        source_language, date = sources[statement_id]
        for edition in own:
            name = f"{statement_id}/{statement_id}.{edition.variant}"
            if edition.variant == BILINGUAL:
                entry["bilingual"] = f"{name}.pdf"
                entry["bilingual_kept"] = edition.kept
                entry["bilingual_version"] = edition.source_version
                entry["bilingual_as_of"] = edition.as_of
                entry["bilingual_names"] = " + ".join(english.languages.get(code, code)
                                                      for code in edition.languages)
                continue
            edition_language = language(edition.languages[0], edition.locales[0])
            rows.append({"code": edition_language.code, "tag": edition_language.tag,
                         "direction": edition_language.direction,
                         "native_name": edition_language.name, "title": edition.title,
                         "html": f"{name}.html", "pdf": f"{name}.pdf", "draft": False, "date": "",
                         "kept": edition.kept, "source_version": edition.source_version,
                         "as_of": edition.as_of})
        if not rows:
            continue
        first = next((row for row in rows if row["code"] == source_language), rows[0])
        rows.sort(key=lambda row: (row is not first, str(row["code"])))
        entry.update(editions=rows, title=first["title"], tag=first["tag"],
                     direction=first["direction"], date=date[0], date_text=date[1],
                     updated=(updates or {}).get(statement_id))
        listing.append(entry)
    return listing


def plain_title(side_title: str) -> str:
    from .text import FSI, PDI

    return side_title.replace(FSI, "").replace(PDI, "")


def make_site(snapshot: Snapshot, editions: list[IndexEdition],
              sources: dict[str, tuple[str, tuple[str, str]]], inputs_hash: str,
              shown: list[str], catalogs: dict[str, PoCatalog], with_assets: bool = True,
              updates: dict[str, tuple[str, str] | None] | None = None) -> Site:
    """The index and (``with_assets``) the assets: ``sources`` gives each statement's language
    and date (ISO, and as the index writes it); ``shown`` the characters each published edition
    shows, which the web fonts are cut down to; ``catalogs`` the snapshot's catalogs as the
    build parsed them (one missing could not be read). Without the assets, those published
    before are kept. An index that links a file ``_assets`` does not publish is refused."""
    from . import webfonts
    from .fonts import page_text
    from .render import render_index

    recorded = _read_site_state(snapshot.project) or {}
    published = {name: sha for name, sha in recorded.get("files", {}).items()
                 if isinstance(name, str) and isinstance(sha, str)}
    index = render_index(snapshot, index_listing(editions, sources, updates),
                         index_words(snapshot, catalogs))
    previous = read_published(snapshot.project.output_dir / "index.html")
    if (unreadable_catalogs(snapshot, catalogs) and previous is not None
            and published.get("index.html") == digest(previous)):
        # A released language's catalog cannot be read: its editions are kept as printed, and so
        # is the index (its words in that language come from that catalog), until it is fixed.
        index = previous.decode("utf-8")
        last = recorded.get("inputs_hash")  # so the next build remakes it if it is not current
        inputs_hash = last if isinstance(last, str) else ""
    elif links := unpublished_links(index, "index.html", linkable_assets(snapshot),
                                    snapshot.project.settings.site_url):
        template = snapshot.templates.get(INDEX_TEMPLATE)
        raise unpublished_refusal(snapshot, "index.html is not published", links,
                                  template.name if template else INDEX_TEMPLATE, INDEX_TEMPLATE)
    files: dict[str, bytes] = {"index.html": index.encode("utf-8")}
    kept: dict[str, str] = {}
    if not with_assets:
        kept = {name: sha for name, sha in published.items() if name.startswith(f"{ASSETS}/")}
        before, cached = recorded.get("webfonts"), recorded.get("cached")
        return Site(files, inputs_hash, kept, before if isinstance(before, dict) else {},
                    cached if isinstance(cached, dict) else {}, None)
    files.update({f"{ASSETS}/{name}": data
                  for name, data in sorted(webfonts.for_browsers(asset_files(snapshot)).items())})
    texts = [*shown, page_text(index).shown]
    fonts, cut, cached = web_fonts(snapshot, texts, recorded.get("webfonts"),
                                   recorded.get("cached"))
    files.update({f"{ASSETS}/{name}": data for name, data in webfonts.asset_files(fonts).items()})
    return Site(files, inputs_hash, kept, cut, cached, {f.filename: f.woff2 for f in fonts})


def unreadable_catalogs(snapshot: Snapshot, catalogs: dict[str, PoCatalog]) -> list[str]:
    """The released languages whose catalog cannot be read (not among ``catalogs``)."""
    settings = snapshot.project.settings
    return [code for code in sorted(snapshot.catalogs)
            if settings.is_released(code) and code not in catalogs]


def index_words(snapshot: Snapshot, catalogs: dict[str, PoCatalog]) -> list[Words]:
    """The index's words in every released language with a readable catalog (``catalogs``),
    the templates' language first (a catalog that cannot be read is reported by the build;
    here it is left out)."""
    from .catalogs.lookup import Lookup
    from .language import language
    from .render import Words

    settings = snapshot.project.settings
    found = []
    for code in sorted(snapshot.catalogs, key=lambda c: (c != TEMPLATE_LANGUAGE, c)):
        if settings.is_released(code) and code in catalogs:
            found.append(Words(language(code, settings.formatting_locale(code)),
                               Lookup(code, catalogs[code])))
    return found


def web_fonts(snapshot: Snapshot, texts: list[str], recorded: object, cached: object = None
              ) -> tuple[list[webfonts.Subset], dict[str, dict[str, object]],
                         dict[str, list[list[str]]]]:
    """Each face of the stylesheet cut down to the characters the site shows; a face whose
    characters did not change since the last build is taken as it was published (cutting a font
    takes half a second), one cut to the same characters by one of the last builds is taken
    from ``WEBFONT_CACHE``, the others are cut again. Returns the subsets, their record, and
    each face's cuts the cache keeps."""
    from . import webfonts
    from .fonts import fonts_of

    wanted = webfonts.characters(texts)
    before = recorded if isinstance(recorded, dict) else {}
    earlier = cached if isinstance(cached, dict) else {}
    fonts: list[webfonts.Subset] = []
    record: dict[str, dict[str, object]] = {}
    kept: dict[str, list[list[str]]] = {}
    for face in fonts_of(asset_files(snapshot)).faces:
        keep = sorted(wanted & face.cmap)
        if not keep:
            continue
        key = short_hash(face.url, digest(face.data), keep)
        cuts = [cut for cut in earlier.get(face.url, []) if isinstance(cut, list) and len(cut) == 3
                and all(isinstance(part, str) for part in cut)]
        font = _published_font(snapshot, face, before.get(face.url), key)
        if font is None:
            font = next((found for cut_key, name, ranges in cuts if cut_key == key and (
                found := _font_file(snapshot.project.output_dir / WEBFONT_CACHE, face, name,
                                    ranges)) is not None), None)
        if font is None:
            font = webfonts.subset(face, keep)
        if font is None:
            continue
        fonts.append(font)
        ranges = webfonts.unicode_range(font.codepoints)
        record[face.url] = {"key": key, "file": font.filename, "codepoints": ranges}
        kept[face.url] = [[key, font.filename, ranges],
                          *[cut for cut in cuts if cut[0] != key]][:CACHED_CUTS]
    return fonts, record, kept


def _published_font(snapshot: Snapshot, face: Face, before: object,
                    key: str) -> webfonts.Subset | None:
    """The subset of ``face`` published by an earlier build, if it was cut to the same
    characters and is still there, intact."""
    if not isinstance(before, dict) or before.get("key") != key:
        return None
    name, ranges = before.get("file"), before.get("codepoints")
    if not isinstance(name, str) or not isinstance(ranges, str):
        return None
    return _font_file(snapshot.project.output_dir / ASSETS / "fonts", face, name, ranges)


def _font_file(folder: Path, face: Face, name: str, ranges: str) -> webfonts.Subset | None:
    """The subset of ``face`` in ``folder``, named ``name``, if its bytes are still those its
    name's digest gives."""
    from . import webfonts

    if "/" in name or name.startswith("."):
        return None
    data = read_published(folder / name, MAX_FONT)
    font = webfonts.Subset(face, data, webfonts.parse_unicode_range(ranges)) if data else None
    return font if font is not None and font.filename == name else None


def site_inputs_hash(snapshot: Snapshot, states: list[EditionState]) -> str:
    """A hash of what the index and assets are made from: the templates, the catalogs (the
    index's own words) and the editions it lists."""
    return short_hash(snapshot.templates_digest,
                      sorted((code, item.digest) for code, item in snapshot.catalogs.items()),
                      sorted((s.statement, s.variant, s.content_hash) for s in states))


def site_is_current(project: Project, inputs_hash: str,
                    digests: PublishedDigests | None = None) -> bool:
    """Whether ``output/`` holds the index and assets ``inputs_hash`` gives, byte for byte
    (``digests``: known by their stat since they were last hashed, see ``PublishedDigests``)."""
    digests = digests if digests is not None else PublishedDigests(project.output_dir)
    recorded = _read_site_state(project)
    if recorded is None or recorded.get("inputs_hash") != inputs_hash:
        return False
    files = recorded.get("files", {})
    if any(path.relative_to(project.output_dir).as_posix() not in files
           for path in files_below(project.output_dir / ASSETS)):
        return False  # a file the build did not publish: a full build removes it
    return all(digests.digest(project.output_dir / name) == sha for name, sha in files.items())


def publish_site(project: Project, site: Site, digests: PublishedDigests | None = None
                 ) -> list[str]:
    """Write the index and assets, remove every other file below ``_assets`` (hidden files and
    links included), and record what was written. Returns the names removed."""
    output = project.output_dir
    digests = digests if digests is not None else PublishedDigests(output)
    hashes = {name: digest(data) for name, data in site.files.items()}
    changed = {output / name: data for name, data in site.files.items()
               if digests.digest(output / name) != hashes[name]}
    recorded = {**site.kept, **{name: digest(data) for name, data in site.files.items()}}
    state = json.dumps({"inputs_hash": site.inputs_hash, "files": dict(sorted(recorded.items())),
                        "webfonts": site.webfonts, "cached": site.cached}, indent=1,
                       sort_keys=True).encode()
    changed[output / SITE_STATE] = state
    publish(changed, project.root if project.output is None else output.parent, output)
    for name, sha in hashes.items():
        if output / name in changed:
            digests.written(output / name, sha)
    wanted = {output / name for name in recorded}
    removed = [display(path, project.root) for path in remove_unlisted(output / ASSETS, wanted, output)]
    if site.cache is not None:
        cache_cuts(project, site.cached, site.cache)
    return removed


def cache_cuts(project: Project, cached: dict[str, list[list[str]]], fonts: dict[str, bytes]
               ) -> None:
    """Keep the web fonts of each face's latest cuts in ``WEBFONT_CACHE``, and nothing else."""
    folder = project.output_dir / WEBFONT_CACHE
    root = project.root if project.output is None else project.output_dir.parent
    names = {cut[1] for cuts in cached.values() for cut in cuts}
    for name, data in sorted(fonts.items()):
        if name in names:
            write_atomic(folder / name, data, root)  # nothing is written while it is as cut
    remove_unlisted(folder, {folder / name for name in names}, project.output_dir)


def _read_site_state(project: Project) -> dict | None:
    raw = read_published(project.output_dir / SITE_STATE)
    try:
        data = json.loads(raw) if raw is not None else None
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("files"), dict) else None


def edition_entry(statement_id: str, variant: str, title: str, languages: tuple[str, ...],
                  locales: tuple[str, ...], kept: bool = False,
                  source_version: str = "", as_of: str = "") -> IndexEdition:
    return IndexEdition(statement_id, variant, plain_title(title), languages, locales, kept,
                        source_version, as_of)


def _mode(path: Path) -> int:
    """The file type and mode of ``path`` itself (not of a link's target); 0 when it is not there."""
    try:
        return os.lstat(path).st_mode
    except OSError:
        return 0


def check_not_linked_out(project: Project, names: list[str]) -> None:
    """Nothing is written through a symbolic link that leads out of ``output/`` (nor out of the
    project, for ``output/`` itself unless the caller chose another place)."""
    problems = []
    output = project.output_dir
    if project.output is None:
        resolved = Path(os.path.realpath(output))  # a loop of links too
        if not resolved.is_relative_to(project.root):
            raise PipelineError(f"output/ leads outside the project (to {resolved}): make it a "
                                "plain folder", "output")
        if output.is_symlink():  # into templates/, say: published files would become inputs
            raise PipelineError(f"is a symbolic link to {resolved}: the build publishes only into "
                                "a plain folder of its own; remove the link (a plain output/ is "
                                "made in its place)", "output")
    # Every folder of output/ and output/drafts/ is the build's: none may be a link, even one
    # inside the project (what is published there would land elsewhere, unrecorded).
    listed = [*list_folder(output, project.root), *(f"{DRAFTS}/{name}" for name in list_folder(
        output / DRAFTS, project.root) if not (output / DRAFTS).is_symlink())]
    modes = {name: _mode(output / name) for name in listed}  # (one lstat each)
    names = [*names, *(name for name, mode in modes.items() if stat.S_ISDIR(mode) or (
        stat.S_ISLNK(mode) and not (output / name).is_file()))]  # (a link to a file is
    # replaced by the file, as every output is; one that leads nowhere, or to itself, is not)
    real_output = os.path.realpath(output)
    for name in dict.fromkeys(names):
        folder = output / name
        mode = modes[name] if name in modes else _mode(folder)
        if "/" not in name and stat.S_ISDIR(mode):
            continue  # (a folder of output/ itself, not a link: where output/ is)
        target = Path(os.path.realpath(folder))
        outside = folder.exists() and not target.is_relative_to(real_output)
        if outside:
            problems.append(PipelineError(
                f"is a symbolic link to {target}, outside the project's output folder: "
                "the pipeline does not write through it; remove the link (a plain folder is "
                "made in its place)", project.relative(folder)))
        elif folder.is_symlink():
            problems.append(PipelineError(
                f"is a symbolic link to {target}: the pipeline writes only into plain "
                "folders of the output folder, never through a link; remove the link (a plain "
                "folder is made in its place)", project.relative(folder)))
    if problems:
        raise PipelineError.of(problems)
