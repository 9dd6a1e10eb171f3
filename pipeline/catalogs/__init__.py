"""The gettext catalogs: ``model`` (entries, catalogs, plural forms), ``read`` (as strict as
``msgfmt --check``) and ``validate`` (what msgfmt refuses or warns about), ``write`` (as
``msgcat --no-wrap`` writes), ``pofile`` (what this project adds: CLDR's plural forms, headers),
``merge`` (msgmerge's semantics), ``lookup`` (translations while rendering), ``checks`` (the
problems of a translation for an edition)."""

from .pofile import Key, PoCatalog, PoEntry, read_catalog, serialise

__all__ = ["Key", "PoCatalog", "PoEntry", "read_catalog", "serialise"]
