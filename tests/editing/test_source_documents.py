"""Adding a source from pasted text, an uploaded file or an address."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relations.anchors import text_hash
from relations.editing.extract import extract
from relations.models import Source

pytestmark = pytest.mark.django_db

ADD = "/admin/relations/source/add-from-document/"
PAGE = """<!doctype html><html><head><title>Customs protocol signed | Example Wire</title>
<meta property="og:site_name" content="Example Wire"></head><body>
<nav><a href="/">Home</a> · <a href="/world">World</a> · Subscribe now</nav>
<article><h1>Customs protocol signed</h1>
<p>Minsk, 5 March 2025. The two foreign ministers signed a protocol on customs cooperation on
Wednesday, officials said. The protocol simplifies checks on goods crossing by rail.</p>
<p>Belarus and China agreed in August 2024 to strengthen ties in trade, officials recalled.
Both sides said further talks would follow next month in Beijing.</p></article>
<footer>Cookie settings · Advertise with us</footer></body></html>"""


def minimal_pdf(text):
    """A one-page PDF whose page shows `text`, built by hand."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
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


def form(**values):
    data = {"kind": "news", "reliability": "reliable", "language": "en", "publisher": ""}
    data.update(values)
    return data


def test_pasted_text_becomes_a_draft_source_with_its_hash(client, editor):
    text = "Minsk, 5 March 2025. The ministers met on Wednesday.\r\nThey signed a protocol."
    response = client.post(
        ADD,
        form(text=text, title="Customs talks", publisher="Example Wire", published_on="2025-03-05"),
    )
    source = Source.objects.get(title="Customs talks")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/relations/source/{source.pk}/proposals/")
    assert (
        source.text
        == "Minsk, 5 March 2025. The ministers met on Wednesday.\nThey signed a protocol."
    )
    assert source.text_hash == text_hash(source.text)
    assert source.is_draft
    assert source.history.get().history_user == editor


def test_the_same_text_twice_is_recognised_as_a_duplicate(client, editor):
    values = form(text="One text only.", title="First", publisher="P")
    client.post(ADD, values)
    response = client.post(ADD, {**values, "title": "Second"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "already stored as the source" in html
    assert "First</a>" in html
    assert not Source.objects.filter(title="Second").exists()


def test_an_uploaded_web_page_keeps_only_the_article(client, editor):
    upload = SimpleUploadedFile("customs.html", PAGE.encode(), content_type="text/html")
    response = client.post(ADD, form(file=upload))
    assert response.status_code == 302
    source = Source.objects.get()
    assert "signed a protocol on customs cooperation" in source.text
    assert "Subscribe now" not in source.text
    assert "Cookie settings" not in source.text
    assert source.title == "Customs protocol signed"
    assert source.publisher == "Example Wire"
    assert source.text == extract(PAGE.encode(), "customs.html").text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Минск, 5 марта 2025 года. Министры подписали протокол.", "cp1251"),
        ("Минск, 5 марта 2025 года. Министры подписали протокол.", "koi8_r"),
        ("白俄罗斯总统访问中国。明斯克。", "gb18030"),
        ("Déclaration commune signée à Minsk.", "cp1252"),
    ],
)
def test_an_uploaded_text_file_in_a_legacy_encoding_is_decoded(client, editor, text, encoding):
    upload = SimpleUploadedFile("note.txt", text.encode(encoding), content_type="text/plain")
    response = client.post(ADD, form(file=upload, title="Протокол", publisher="БелТА"))
    assert response.status_code == 302
    assert Source.objects.get().text == text


def test_an_uploaded_pdf_is_read_page_by_page(client, editor):
    upload = SimpleUploadedFile("note.pdf", minimal_pdf("The protocol was signed in 2025."))
    response = client.post(ADD, form(file=upload, title="A note", publisher="Ministry"))
    assert response.status_code == 302
    assert Source.objects.get().text == "The protocol was signed in 2025."


def test_a_file_of_another_kind_is_refused_with_a_message(client, editor):
    upload = SimpleUploadedFile("sheet.docx", b"PK\x03\x04...", content_type="application/msword")
    response = client.post(ADD, form(file=upload, title="x", publisher="y"))
    assert response.status_code == 400
    assert "Only .txt, .html and .pdf" in response.content.decode()
    assert not Source.objects.exists()


def test_exactly_one_document_is_asked_for(client, editor):
    response = client.post(ADD, form(text="Some text", url="https://example.org/", title="x"))
    assert response.status_code == 400
    assert "exactly one of" in response.content.decode()


def test_a_loopback_address_is_refused_in_the_admin(client, editor):
    response = client.post(ADD, form(url="http://127.0.0.1:9/article", title="x", publisher="y"))
    assert response.status_code == 400
    assert "private or local address" in response.content.decode()


@pytest.fixture
def page_server():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/old":
                self.send_response(301)
                self.send_header("Location", "/customs")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def test_an_address_is_fetched_with_its_final_url_and_retrieval_time(
    client, editor, page_server, settings
):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    response = client.post(ADD, form(url=f"{page_server}/old"))
    assert response.status_code == 302
    source = Source.objects.get()
    assert source.url == f"{page_server}/customs"
    assert source.retrieved_at is not None
    assert "signed a protocol on customs cooperation" in source.text


def test_the_source_list_links_to_the_document_form(client, editor):
    assert ADD in client.get("/admin/relations/source/").content.decode()
    assert client.get(ADD).status_code == 200
