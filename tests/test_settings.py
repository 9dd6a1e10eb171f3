"""The project's settings: read once, every mistake named at once, with its line."""

from __future__ import annotations

import pytest

from pipeline.errors import PipelineError
from pipeline.settings import Settings, parse_settings


def problems(text: str) -> list[str]:
    with pytest.raises(PipelineError) as caught:
        parse_settings(text.encode())
    return [str(p) for p in caught.value.problems]


def test_the_fixture_settings():
    settings = parse_settings(b'[tool.pipeline]\nformatting-locales = { ar = "ar_SY" }\n'
                              b'bilingual = ["en", "ar"]\nreleased = ["en", "ar"]\n')
    assert settings.formatting_locale("ar") == "ar_SY" and settings.formatting_locale("fr") == "fr"
    assert settings.bilingual == ("en", "ar")
    assert settings.is_released("ar") and not settings.is_released("fr")


def test_without_settings_every_language_is_released():
    assert parse_settings(None) == Settings()
    assert parse_settings(b"[project]\nname = 'x'\n").is_released("fr")


def test_every_mistake_is_reported_at_once_with_its_line():
    assert problems('[tool.pipeline]\nformating-locales = {}\nbilingual = ["en", "en"]\n'
                    'released = "en"\nformatting-locales = { ar = "xx_YY" }\n') == [
        "pyproject.toml:2: unknown setting [tool.pipeline] formating-locales: did you mean "
        "'formatting-locales'?",
        "pyproject.toml:3: [tool.pipeline] bilingual names a language twice: name each once",
        "pyproject.toml:4: [tool.pipeline] released must be a list of language codes, such as "
        "[\"en\", \"ar\"]",
        "pyproject.toml:5: [tool.pipeline] formatting-locales: 'xx_YY' is not a language code "
        "known to CLDR: use a code such as 'ar', 'fa', 'fr' or 'pt_BR'",
    ]


def test_the_bilingual_edition_needs_two_languages():
    assert problems('[tool.pipeline]\nbilingual = ["en", "ar", "fr"]\n') == [
        "pyproject.toml:2: [tool.pipeline] bilingual must name two languages, not 3"]


def test_a_toml_syntax_error_names_its_line():
    [message] = problems('[tool.pipeline]\nbilingual = ["en",\nreleased = 3\n')
    assert message.startswith("pyproject.toml:3: cannot read the settings: ")


def test_settings_bytes_that_are_not_utf8_are_named():
    with pytest.raises(PipelineError, match="pyproject.toml: the file is not UTF-8 text"):
        parse_settings(b"[tool.pipeline]\nreleased = ['\xff']\n")
