"""Which templates a page is made of, and so which template words it shows: kept by the templates'
bytes between the runs of one process (``watch`` asks on every save), and never stale."""

from __future__ import annotations

from pipeline.parse import page_words
from pipeline.project import BILINGUAL_TEMPLATE, EDITION_TEMPLATE, Project
from pipeline.snapshot import take
from pipeline.templating import templates_used

INCLUDE = '{% include "_extra.html.j2" %}\n'


def words_of(project: Project, page: str) -> set[str]:
    return {str(word.id) for word in page_words(take(project))[page]}


def test_a_template_edited_between_two_runs_is_read_again(small: Project):
    page = small.templates_dir / EDITION_TEMPLATE
    original = page.read_text("utf-8")
    (small.templates_dir / "_extra.html.j2").write_text('<p>{{ _("A word added today") }}</p>\n',
                                                        "utf-8")
    before = templates_used(take(small), EDITION_TEMPLATE)
    assert "templates/_page.html.j2" in before
    assert "templates/_extra.html.j2" not in before
    assert "A word added today" not in words_of(small, EDITION_TEMPLATE)

    page.write_text(original + INCLUDE, "utf-8")  # the page now includes it
    assert templates_used(take(small), EDITION_TEMPLATE) == before | {"templates/_extra.html.j2"}
    assert "A word added today" in words_of(small, EDITION_TEMPLATE)
    assert "A word added today" not in words_of(small, BILINGUAL_TEMPLATE)

    page.write_text(original, "utf-8")  # and no longer: the answer of these bytes again
    assert templates_used(take(small), EDITION_TEMPLATE) == before
    assert "A word added today" not in words_of(small, EDITION_TEMPLATE)


def test_an_include_chosen_at_run_time_makes_every_template_used(small: Project):
    page = small.templates_dir / BILINGUAL_TEMPLATE
    before = templates_used(take(small), BILINGUAL_TEMPLATE)
    page.write_text(page.read_text("utf-8") + '{% include side_template %}\n', "utf-8")
    every = {f"templates/{p.name}" for p in small.templates_dir.glob("*.j2")}
    assert before < every
    assert templates_used(take(small), BILINGUAL_TEMPLATE) == every
