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


def test_a_formatting_locale_must_be_of_its_own_language():
    assert problems('[tool.pipeline]\nformatting-locales = { en = "ar_SY", ar = "fa" }\n') == [
        "pyproject.toml:2: [tool.pipeline] formatting-locales: en = 'ar_SY': 'ar_SY' is a locale "
        "of Arabic (Syria), not of English ('en'): it would print the en edition in another "
        "language's direction, digits and dates; use 'en' or one of its regions, such as 'en_US'",
        "pyproject.toml:2: [tool.pipeline] formatting-locales: ar = 'fa': 'fa' is a locale of "
        "Persian, not of Arabic ('ar'): it would print the ar edition in another language's "
        "direction, digits and dates; use 'ar' or one of its regions, such as 'ar_EG'",
    ]
    assert parse_settings(b'[tool.pipeline]\nformatting-locales = { pt = "pt_BR" }\n'
                          ).formatting_locale("pt") == "pt_BR"


@pytest.mark.parametrize(("text", "says"), [
    ("tool = 1\n", "pyproject.toml:1: 'tool' must be a table (such as [tool.pipeline]), not a "
                   "number"),
    ("[tool]\npipeline = 3\n", "pyproject.toml:2: [tool.pipeline] must be a table of settings, "
                               "not a number"),
    ("[[tool.pipeline]]\n", "pyproject.toml:1: [tool.pipeline] must be a table of settings, not "
                            "a list"),
    ("x" + ".x" * 100_000 + " = 1\n", "pyproject.toml:1: cannot read the settings: keys, tables "
                                      "or lists nested more than 32 deep"),
    ("a = " + "[" * 100_000 + "]" * 100_000, "pyproject.toml:1: cannot read the settings: keys, "
                                             "tables or lists nested more than 32 deep"),
    ('[tool.pipeline]\nreleased = []\n', "pyproject.toml:2: [tool.pipeline] released names no "
                                         "language"),
])
def test_settings_of_the_wrong_shape_are_one_line_with_their_line(text, says):
    [message] = problems(text)
    assert message.startswith(says), message


def test_a_released_or_bilingual_language_without_a_catalog_names_its_setting():
    settings = parse_settings(b'[tool.pipeline]\nbilingual = ["en", "fr"]\n'
                              b'released = ["en", "de"]\n')
    assert [str(p) for p in settings.missing_catalogs(["en", "ar"])] == [
        "pyproject.toml:3: [tool.pipeline] released names 'de', which has no catalog "
        "(locales/de/LC_MESSAGES/statements.po): create it with `python -m pipeline init de`, "
        "restore it, or take 'de' out of released",
        "pyproject.toml:2: [tool.pipeline] bilingual names 'fr', which has no catalog "
        "(locales/fr/LC_MESSAGES/statements.po): create it with `python -m pipeline init fr`, "
        "restore it, or take 'fr' out of bilingual",
    ]
    assert parse_settings(None).missing_catalogs([]) == []
