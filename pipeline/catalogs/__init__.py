"""The gettext catalogs, a module per artifact: ``pofile`` reads and writes PO files strictly,
``merge`` brings a catalog up to date with the template (msgmerge's semantics), ``lookup``
serves translations while rendering, ``checks`` yields the problems of a translation."""

from .pofile import Key, key_of, read_catalog, serialise

__all__ = ["Key", "key_of", "read_catalog", "serialise"]
