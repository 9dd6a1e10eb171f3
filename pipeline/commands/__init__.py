"""One module per command, each a recipe of the stages: ``build`` (and ``verify``, ``dist``,
``preview``, ``watch`` around it), ``update`` (with ``extract`` and ``init``), ``check``."""
