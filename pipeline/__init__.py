"""Publish a multilingual statement as print-ready PDF and HTML editions.

The stages, one module each: ``snapshot`` reads every input once, ``source`` parses a statement,
``messages`` extracts what is to be translated, ``catalogs`` keeps the PO files, ``plan`` decides
what to print, ``render`` merges statement and catalog into HTML, ``pdf`` prints it (with
``fonts``, ``fetcher`` and ``weasyfixes``), ``site`` writes the index and assets; ``commands``
holds one recipe per command, ``cli`` maps arguments onto them.
"""

import logging

__version__ = "0.2.0"

log = logging.getLogger("pipeline")
