"""Quotes anchored as W3C TextQuoteSelector + TextPositionSelector, and references by locator."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from relations.anchors import AnchorError, anchor, text_hash
from relations.models import Citation, Event
from tests.conftest import FIXTURE
from tests.factories import CitationFactory, EventFactory, SourceFactory

TEXT = "Talks went well. First the sides agreed. Later, the sides agreed. Done."


def test_a_unique_quote_anchors_with_its_position_and_the_text_hash():
    found = anchor(TEXT, "Talks went well.")
    assert (found.start, found.end) == (0, 16)
    assert found.text_hash == text_hash(TEXT)


def test_a_quote_that_occurs_twice_needs_a_prefix_or_suffix():
    with pytest.raises(AnchorError, match="occurs 2 times"):
        anchor(TEXT, "the sides agreed.")
    found = anchor(TEXT, "the sides agreed.", prefix="Later, ")
    assert TEXT[found.start : found.end] == "the sides agreed."
    assert found.start == TEXT.index("Later, ") + len("Later, ")


def test_a_prefix_that_is_not_just_before_the_quote_is_refused():
    with pytest.raises(AnchorError, match="not with this prefix and suffix"):
        anchor(TEXT, "Talks went well.", prefix="Earlier ")


def test_a_quote_not_in_the_text_is_refused():
    with pytest.raises(AnchorError, match="not found verbatim"):
        anchor(TEXT, "The sides disagreed.")


@pytest.mark.django_db
class TestCitationAnchors:
    def test_saving_a_citation_stores_its_anchor(self):
        citation = CitationFactory()
        text = citation.source.text
        assert text[citation.start : citation.end] == citation.quote
        assert citation.text_hash == text_hash(text)

    def test_a_duplicated_quote_without_prefix_is_refused_with_the_places(self):
        source = SourceFactory(text=TEXT)
        citation = Citation(event=EventFactory(), source=source, quote="the sides agreed.")
        with pytest.raises(ValidationError) as excinfo:
            citation.full_clean()
        message = " ".join(excinfo.value.message_dict["quote"])
        assert "occurs 2 times" in message
        assert "[the sides agreed.]" in message

    def test_editing_the_source_so_a_quote_is_duplicated_is_refused(self):
        citation = CitationFactory()
        source = citation.source
        source.text += " " + citation.quote
        with pytest.raises(ValidationError) as excinfo:
            source.full_clean()
        assert "no longer anchor in the text exactly once" in str(excinfo.value)
        assert "occurs 2 times" in str(excinfo.value)

    def test_editing_the_source_elsewhere_moves_the_anchor(self):
        citation = CitationFactory()
        source = citation.source
        source.text = "A new first sentence. " + source.text
        source.full_clean()
        source.save()
        citation.refresh_from_db()
        assert source.text[citation.start : citation.end] == citation.quote
        assert citation.text_hash == text_hash(source.text)

    def test_a_reference_is_cited_by_locator_not_by_quote(self):
        reference = SourceFactory(text="")
        citation = Citation(event=EventFactory(), source=reference, quote="Anything")
        with pytest.raises(ValidationError) as excinfo:
            citation.full_clean()
        assert "reference without stored text" in str(excinfo.value)
        citation.quote = ""
        with pytest.raises(ValidationError) as excinfo:
            citation.full_clean()
        assert "locator" in excinfo.value.message_dict
        citation.locator = "page 2"
        citation.full_clean()
        citation.save()
        assert citation.start is None and citation.text_hash == ""

    def test_a_stored_text_must_be_quoted(self):
        citation = Citation(event=EventFactory(), source=SourceFactory(), locator="page 2")
        with pytest.raises(ValidationError) as excinfo:
            citation.full_clean()
        assert "Quote the text" in " ".join(excinfo.value.message_dict["quote"])


@pytest.mark.django_db
def test_import_reports_a_quote_found_at_a_new_place(tmp_path, capsys):
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    quoted = next(r for r in records if r["model"] == "relations.citation" and r["fields"]["quote"])
    quoted["fields"]["start"] += 5
    quoted["fields"]["end"] += 5
    path = tmp_path / "moved.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    call_command("import_timeline", str(path), verbosity=0)
    assert "1 quote(s) found at a new place" in capsys.readouterr().err


@pytest.mark.django_db
def test_import_refuses_a_quote_that_no_longer_anchors_once(tmp_path):
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    quoted = next(r for r in records if r["model"] == "relations.citation" and r["fields"]["quote"])
    source = next(
        r
        for r in records
        if r["model"] == "relations.source" and [r["fields"]["slug"]] == quoted["fields"]["source"]
    )
    source["fields"]["text"] += "\n" + quoted["fields"]["quote"]
    path = tmp_path / "duplicated.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(CommandError, match=r"relations\.citation .*occurs 2 times"):
        call_command("import_timeline", str(path), verbosity=0)
    assert Event.objects.count() == 0
