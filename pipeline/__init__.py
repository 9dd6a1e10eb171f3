"""Publish a multilingual statement as print-ready PDF and HTML editions.

The stages, one module each: ``snapshot`` reads every input once, ``source`` parses a statement,
``messages`` extracts what is to be translated, ``catalogs`` keeps the PO files, ``plan`` decides
what to print, ``render`` merges statement and catalog into HTML, ``pdf`` prints it, ``site``
writes the index and assets; ``commands`` holds one recipe per command, ``cli`` maps arguments
onto them.
"""

import logging
import os
from pathlib import Path

__version__ = "0.2.0"

log = logging.getLogger("pipeline")

# Printing sees no font of the machine: only those the stylesheet declares, from templates/fonts/
# (fontconfig reads this when WeasyPrint first loads, here or in a worker process).
os.environ["FONTCONFIG_FILE"] = str(Path(__file__).with_name("fonts.conf"))
