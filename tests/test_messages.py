"""Extraction: every translatable string, with context, reference and translator comment."""

import subprocess
import sys

from babel.messages.pofile import read_po

from pipeline.build import extract
from pipeline.messages import extract_template


def messages_of(catalog):
    return {(m.context, m.id): m for m in catalog if m.id}


def test_the_template_has_every_statement_text_and_template_word(project, seed):
    catalog = messages_of(extract_template(project))
    assert ("title", seed["title"]) in catalog
    assert ("subtitle", seed["subtitle"]) in catalog
    for paragraph in seed["paragraphs"]:
        assert ("paragraph", paragraph) in catalog
    for name in seed["signatories"]:
        assert ("signatory", name) in catalog
    assert (None, "Signatories") in catalog
    assert (None, "Page %(page)s of %(pages)s") in catalog
    assert (None, ("%(num)s organisation signed this statement.",
                   "%(num)s organisations signed this statement.")) in catalog
    assert len(catalog) == 1 + 1 + 1 + 6 + 133 + 5


def test_messages_carry_references_and_comments(project):
    catalog = messages_of(extract_template(project))
    help4syria = catalog[("signatory", "Help4Syria, UK")]
    assert help4syria.locations == [("sources/sochi-2018.yaml", 76)]
    assert help4syria.auto_comments[0].startswith("Signatory 25 of 133: the name of an organisation")
    page = catalog[(None, "Page %(page)s of %(pages)s")]
    assert page.locations[0][0] == "templates/statement.html.j2"
    assert "page numbers" in page.auto_comments[0]


def test_rewrapping_a_paragraph_changes_no_message(project):
    before = messages_of(extract_template(project))
    path = project.sources_dir / "sochi-2018.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("Russia has announced that it will host",
                                 "Russia has announced\n    that it will host"), "utf-8")
    after = messages_of(extract_template(project))
    assert set(after) == set(before)


def test_a_name_and_a_sentence_never_collide(project):
    path = project.sources_dir / "sochi-2018.yaml"
    path.write_text(path.read_text("utf-8").replace("issuer: Syrian Civil Society",
                                                    "issuer: Baytna Syria"), "utf-8")
    catalog = messages_of(extract_template(project))
    assert ("issuer", "Baytna Syria") in catalog and ("signatory", "Baytna Syria") in catalog


def test_pybabel_extract_gives_the_same_template(project):
    extract(project)
    with project.template_path.open("rb") as handle:
        ours = read_po(handle)
    output = project.root / "pybabel.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-c", "Translators:", "-o", str(output), "."], cwd=project.root, check=True,
                   capture_output=True)
    with output.open("rb") as handle:
        theirs = read_po(handle)

    def content(catalog):
        return [(m.context, m.id, m.locations, m.auto_comments, sorted(m.flags))
                for m in catalog if m.id]
    assert content(theirs) == content(ours)
