"""The gettext catalogs, a module per artifact: ``po`` reads and writes PO files as strictly as
``msgfmt --check`` and as msgmerge writes them, ``pofile`` adds what this project knows (CLDR's
plural forms, headers), ``merge`` brings a catalog up to date with the template (msgmerge's
semantics), ``lookup`` serves translations while rendering, ``checks`` yields the problems of a
translation."""

from .pofile import Key, PoCatalog, PoEntry, read_catalog, serialise

__all__ = ["Key", "PoCatalog", "PoEntry", "read_catalog", "serialise"]
