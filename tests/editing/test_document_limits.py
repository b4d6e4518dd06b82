"""Documents that are broken or too large: a form error that says why, never a 500
or a bare 400, and the work each one causes bounded."""

import zlib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from relations.editing import extract as extraction
from relations.editing.extract import ExtractionError, extract
from relations.models import Source
from tests.editing.test_source_documents import ADD, form, minimal_pdf

pytestmark = pytest.mark.django_db


def pdf(objects):
    """A PDF of the given objects (1 is the catalogue), its cross-reference table computed."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def one_page(content, filters=b""):
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d %s>>\nstream\n" % (len(content), filters) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


CRAFTED = {
    # pypdf's LimitReachedError: a content stream inflating to 200 MB
    "decompression bomb": one_page(
        zlib.compress(b" " * 200_000_000, 9), filters=b"/Filter /FlateDecode "
    ),
    # RecursionError: arrays nested 5,000 deep in the page's text
    "deep nesting": one_page(b"BT /F1 12 Tf " + b"[" * 5000 + b"]" * 5000 + b" TJ ET"),
    # PdfReadError
    "cyclic pages": pdf(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"]
    ),
}


@pytest.mark.parametrize("data", CRAFTED.values(), ids=CRAFTED.keys())
def test_a_crafted_pdf_is_a_form_error(client, editor, data):
    upload = SimpleUploadedFile("crafted.pdf", data, content_type="application/pdf")
    response = client.post(ADD, form(file=upload, title="T", publisher="P"))
    assert response.status_code == 400
    assert "The PDF cannot be read" in response.content.decode()
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    "error",
    [AssertionError(), AttributeError("x"), IndexError("x"), zlib.error("x"), RecursionError()],
)
def test_any_failure_inside_pypdf_is_an_extraction_error(monkeypatch, error):
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr("pypdf.PdfReader.__init__", fail)
    with pytest.raises(ExtractionError, match="The PDF cannot be read"):
        extract(minimal_pdf("Text."), "note.pdf")


def test_a_pdf_past_the_page_or_character_limit_is_refused(monkeypatch):
    monkeypatch.setattr(extraction, "MAX_PDF_PAGES", 0)
    with pytest.raises(ExtractionError, match="more than 0 pages"):
        extract(minimal_pdf("Text."), "note.pdf")
    monkeypatch.setattr(extraction, "MAX_PDF_PAGES", 10)
    monkeypatch.setattr(extraction, "MAX_TEXT_CHARS", 3)
    with pytest.raises(ExtractionError, match="more than 3 characters"):
        extract(minimal_pdf("Text."), "note.pdf")


def test_html_past_the_limit_is_refused_before_it_is_parsed(monkeypatch, client, editor):
    monkeypatch.setattr("trafilatura.bare_extraction", pytest.fail)
    page = b"<html><body><p>" + b"word " * (extraction.MAX_HTML_BYTES // 5) + b"</p></body></html>"
    upload = SimpleUploadedFile("page.html", page, content_type="text/html")
    response = client.post(ADD, form(file=upload, title="T", publisher="P"))
    assert response.status_code == 400
    assert "larger than 3 MB" in response.content.decode()


@pytest.fixture
def checked_client(editor):
    """A client that, like a browser, must send the CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    client.get(ADD)
    return client


def token(client):
    return client.cookies[settings.CSRF_COOKIE_NAME].value


@pytest.mark.parametrize("size", [3 * 1024 * 1024, 11 * 1024 * 1024])
def test_pasting_past_the_limit_is_a_form_error_not_a_bare_400(checked_client, size):
    values = form(
        text="x" * size, title="T", publisher="P", csrfmiddlewaretoken=token(checked_client)
    )
    response = checked_client.post(ADD, values)
    html = response.content.decode()
    assert response.status_code == 413
    assert "pasted text can be at most 2.5\xa0MB and a file at most 10.0\xa0MB" in html
    assert 'name="text"' in html
    assert not Source.objects.exists()


def test_a_text_file_up_to_the_documented_limit_is_added(checked_client):
    text = ("The protocol was signed. " * 40 + "\n\n") * 3000
    assert 2.5 * 1024 * 1024 < len(text) < settings.SOURCE_FETCH_MAX_BYTES
    upload = SimpleUploadedFile("long.txt", text.encode(), content_type="text/plain")
    values = form(
        file=upload, title="Long", publisher="P", csrfmiddlewaretoken=token(checked_client)
    )
    response = checked_client.post(ADD, values)
    assert response.status_code == 302, response.context["form"].errors
    assert len(Source.objects.get().text) > 2.5 * 1024 * 1024


def test_the_form_still_needs_its_csrf_token(checked_client):
    response = checked_client.post(ADD, form(text="Some text.", title="T", publisher="P"))
    assert response.status_code == 403
    assert not Source.objects.exists()
