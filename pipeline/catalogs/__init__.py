"""The gettext catalogs, a module per artifact (the README lists them)."""

from .pofile import Key, PoCatalog, PoEntry, read_catalog, serialise

__all__ = ["Key", "PoCatalog", "PoEntry", "read_catalog", "serialise"]
