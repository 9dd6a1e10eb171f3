"""Publish a multilingual statement as print-ready PDF and HTML editions.

The stages, one module each: ``source`` reads a statement, ``messages`` extracts what is to be
translated, ``catalogs`` keeps the PO files, ``language`` knows what CLDR says of a language,
``render`` merges statement and catalog into HTML, ``pdf`` prints it; ``build`` is the recipe.
"""

import logging

__version__ = "0.1.0"

log = logging.getLogger("pipeline")
