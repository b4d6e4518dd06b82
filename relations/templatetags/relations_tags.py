import re
from urllib.parse import urlsplit

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from relations.languages import differs_from_page, language_name, split_title
from relations.models import Source
from relations.web_urls import web_url

register = template.Library()


@register.filter
def count_of(counts, value):
    """{{ counted.category|count_of:value }}: the number beside a filter option."""
    return (counts or {}).get(str(value), 0)


@register.filter
def source_title(source):
    """The source's title, the words in another language than the page's in a `lang` span:
    '<span lang="ru">Оригинал</span> [English gloss]'. Every title a page shows goes
    through here (an attribute or a <title> cannot hold markup: those show the plain title)."""
    title = split_title(source.title, source.language)
    original = (
        format_html('<span lang="{}">{}</span>', source.language, title.original)
        if title.original and differs_from_page(source.language)
        else escape(title.original)
    )
    if not title.gloss:
        return original
    gloss = (
        format_html('<span lang="en">[{}]</span>', title.gloss)
        if differs_from_page("en")
        else format_html("[{}]", title.gloss)
    )
    return format_html("{} {}", original, gloss) if title.original else gloss


@register.filter
def lang_attribute(source):
    """' lang="ru"' for an element holding the words of a source in another language than
    the page's (a quote), else nothing: `<q{{ citation.source|lang_attribute }}>`."""
    if differs_from_page(source.language):
        return format_html(' lang="{}"', source.language)
    return ""


@register.filter
def language(code):
    """The name of the language with BCP 47 tag `code`, in the reader's language."""
    return language_name(code)


URL = re.compile(r"(?:https?://|www\.)[^\s<>\"“”]+[^\s<>\"“”.,;:!?)\]]", re.IGNORECASE)


@register.filter
def linked_notes(text):
    """Plain-text notes as paragraphs, each http(s) address a link titled by what it points to.

    The title is the source's own when a source of the timeline has that
    address, else the site and the last words of the path ("brecorder.com: China
    Belarus agree to strengthen cooperation"), so a reader sees what a link is
    before following it. Only http(s) addresses become links.
    """
    titles = dict(
        Source.objects.public().filter(url__in=URL.findall(text)).values_list("url", "title")
    )
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        parts, cursor = [], 0
        for match in URL.finditer(paragraph):
            url = match.group(0)
            if url.lower().startswith("www."):
                url = "http://" + url
            url = web_url(url)  # only absolute http(s) addresses become links
            if not url:
                continue
            parts.append(escape(paragraph[cursor : match.start()]))
            parts.append(
                format_html(
                    '<a href="{}" rel="nofollow noopener">{}</a>',
                    url,
                    titles.get(url) or url_title(url),
                )
            )
            cursor = match.end()
        parts.append(escape(paragraph[cursor:]))
        paragraphs.append("<p>" + "".join(parts).replace("\n", "<br>") + "</p>")
    return mark_safe("\n".join(paragraphs))


def url_title(url):
    parsed = urlsplit(url)
    host = parsed.netloc.removeprefix("www.")
    words = [part for part in parsed.path.split("/") if part and not part.isdigit()]
    if not words:
        return host
    last = re.sub(r"\.[a-z0-9]{2,5}$", "", words[-1])
    last = re.sub(r"[-_]+", " ", last).strip()
    last = re.sub(r"\s+\d{3,}$", "", last)
    return f"{host}: {last[:1].upper()}{last[1:]}" if last else host


@register.filter
def thousands(number):
    """12345 → "12,345"."""
    return f"{number:,}" if isinstance(number, int) else number
