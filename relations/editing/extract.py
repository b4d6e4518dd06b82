"""The main text of a document an editor brings: plain text, a web page or a PDF.

Web pages go through trafilatura, which drops navigation, advertising and
comments and keeps the article; PDFs through pypdf, page by page. The result is
what gets stored, character for character, so quotes can be checked against it.
"""

import io
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

from relations.validators import CONTROL

# Bounds on the work one document can cause. A web page's HTML past this size is
# refused rather than cut, since a cut page may lose the article's end; trafilatura
# takes seconds and hundreds of MB on a page of a few MB.
MAX_HTML_BYTES = 3 * 1024 * 1024
MAX_PDF_PAGES = 1000
MAX_TEXT_CHARS = 10_000_000


class ExtractionError(Exception):
    """The document has no text that can be extracted; the message says why."""


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str = ""
    publisher: str = ""
    date: str = ""  # ISO date the page states, if any
    language: str = ""
    kind: str = "text"  # text, html or pdf


def normalise(text):
    """Line breaks as \\n, no trailing spaces on lines, no blank runs; nothing else changes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


LEGACY_ENCODINGS = [
    "cp1251", "koi8_r", "gb18030", "big5", "cp1252", "utf_16",
]  # fmt: skip


def one_line(value):
    return " ".join(CONTROL.sub("", value or "").split())


def decode(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Candidates limited to the encodings documents here come in: left free,
        # the detector takes short Russian texts for Mac Cyrillic.
        best = from_bytes(data, cp_isolation=LEGACY_ENCODINGS).best()
        if best is None:
            raise ExtractionError(_("The file is not text in any encoding recognised.")) from None
        return str(best)


def detect_kind(filename="", content_type="", data=b""):
    name = filename.lower()
    content_type = content_type.lower()
    if name.endswith(".pdf") or "pdf" in content_type or data.startswith(b"%PDF-"):
        return "pdf"
    if name.endswith((".html", ".htm")) or "html" in content_type:
        return "html"
    if name.endswith(".txt") or content_type.startswith("text/plain"):
        return "text"
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "html"
    if not filename and not content_type:
        return "text"
    raise ExtractionError(
        _("Only .txt, .html and .pdf documents can be read, not “%(name)s”.")
        % {"name": filename or content_type}
    )


def extract(data, filename="", content_type="", url=None):
    """Extracted text and metadata of a document given as bytes."""
    kind = detect_kind(filename, content_type, data)
    if kind == "pdf":
        result = extract_pdf(data)
    elif kind == "html":
        if len(data) > MAX_HTML_BYTES:
            raise ExtractionError(
                _(
                    "The page's HTML is larger than %(limit)d MB, more than an article needs: "
                    "paste the article's text instead."
                )
                % {"limit": MAX_HTML_BYTES // (1024 * 1024)}
            )
        result = extract_html(decode(data), url)
    else:
        result = Extracted(text=normalise(decode(data)), kind="text")
    if not result.text:
        raise ExtractionError(_("No text could be extracted from this document."))
    if len(result.text) > MAX_TEXT_CHARS:
        raise ExtractionError(_too_long())
    return result


def _too_long():
    return _("The document has more than %(limit)d characters of text; split it.") % {
        "limit": MAX_TEXT_CHARS
    }


def extract_html(html, url=None):
    import trafilatura

    try:
        document = trafilatura.bare_extraction(
            html, url=url, include_comments=False, include_tables=True, with_metadata=True
        )
    except Exception as exc:  # lxml and trafilatura fail on some malformed pages
        raise ExtractionError(
            _("The page cannot be read: %(error)s") % {"error": str(exc)[:200]}
        ) from exc
    if document is None:
        raise ExtractionError(_("No article text was found in this page."))
    return Extracted(
        text=normalise(document.text or ""),
        title=one_line(document.title),
        publisher=one_line(document.sitename),
        date=document.date or "",
        language=document.language or "",
        kind="html",
    )


def extract_pdf(data):
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ExtractionError(
                _("The PDF has more than %(limit)d pages; split it.") % {"limit": MAX_PDF_PAGES}
            )
        pages, length = [], 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            length += len(pages[-1])
            if length > MAX_TEXT_CHARS:
                raise ExtractionError(_too_long())
        title = (reader.metadata.title if reader.metadata else None) or ""
    except ExtractionError:
        raise
    except Exception as exc:  # a crafted PDF makes pypdf fail in many ways, deep recursion too
        raise ExtractionError(
            _("The PDF cannot be read: %(error)s") % {"error": str(exc)[:200] or type(exc).__name__}
        ) from exc
    return Extracted(
        text=normalise("\n\n".join(page.strip() for page in pages)),
        title=one_line(str(title)),
        kind="pdf",
    )
