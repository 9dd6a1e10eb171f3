"""The watcher: rebuilds what a save affects, reports a bad save and keeps watching."""

import logging
import threading
import time

import pytest

from pipeline import log
from pipeline.watch import watch

pytestmark = pytest.mark.slow


def wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_save_reprints_the_edition_and_a_bad_save_is_reported(project, caplog):
    caplog.set_level(logging.INFO, logger=log.name)
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(project, ["ar"]), kwargs={"stop": stop})
    watcher.start()
    try:
        pdf = project.output_dir / "sochi-2018" / "sochi-2018.ar.pdf"
        assert wait_for(lambda: "watching" in caplog.text)
        first = pdf.stat().st_ino
        catalog = project.catalog_path("ar")
        catalog.write_text(catalog.read_text("utf-8").replace(
            'msgstr "الموقعون"', 'msgstr "المنظمات الموقّعة"'), "utf-8")
        assert wait_for(lambda: pdf.stat().st_ino != first), "the edit was not printed"
        source = project.sources_dir / "sochi-2018.yaml"
        source.write_text(source.read_text("utf-8") + "junk: [\n", "utf-8")
        assert wait_for(lambda: "YAML syntax error" in caplog.text)
        assert watcher.is_alive(), "a bad save stopped the watcher"
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive()
