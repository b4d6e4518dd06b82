"""The URL fetcher against a local HTTP server started by the test."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from relations.editing.fetch import FetchError, checked_address, fetch

ARTICLE = b"<html><body><article><p>The ministers met in Minsk.</p></article></body></html>"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        routes = {
            "/article": self.article,
            "/big-declared": self.big_declared,
            "/big-chunked": self.big_chunked,
            "/redirect": lambda: self.redirect(
                f"http://127.0.0.1:{self.server.server_port}/article"
            ),
            "/redirect-ftp": lambda: self.redirect("ftp://example.org/file.txt"),
            "/loop": lambda: self.redirect("/loop"),
            "/trickle": self.trickle,
            "/trickle-headers": self.trickle_headers,
        }
        routes.get(self.path, self.missing)()

    def article(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(ARTICLE)))
        self.end_headers()
        self.wfile.write(ARTICLE)

    def big_declared(self):
        self.send_response(200)
        self.send_header("Content-Length", str(10_000))
        self.end_headers()
        self.wfile.write(b"x" * 10_000)

    def big_chunked(self):
        # No length given: the limit must hold while the body streams.
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        for _ in range(10):
            self.wfile.write(b"y" * 1000)

    def trickle(self):
        # A byte at a time, each well within the read timeout.
        self.send_response(200)
        self.end_headers()
        self.slowly(b"z" * 200)

    def trickle_headers(self):
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
        self.slowly(b"X-Slow: " + b"s" * 200 + b"\r\n\r\n")

    def slowly(self, data):
        try:
            for byte in data:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass  # the client hung up

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def missing(self):
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def test_a_loopback_address_is_refused(server):
    with pytest.raises(FetchError, match="private or local address"):
        fetch(f"{server}/article", allow_private=False)


def test_a_name_resolving_to_loopback_is_refused(server):
    port = server.rsplit(":", 1)[1]
    with pytest.raises(FetchError, match=r"localhost.*resolves to"):
        fetch(f"http://localhost:{port}/article", allow_private=False)


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b:1::808:808",  # local-use NAT64
        "::ffff:0:7f00:1",  # SIIT of 127.0.0.1
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",  # IPv4-mapped cloud metadata
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "::127.0.0.1",  # IPv4-compatible
        "::",
        "::1",
        "fec0::1",  # site-local
        "fd00::1",  # unique local
        "fe80::1",  # link-local
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "ff02::1",  # multicast
        "100::1",  # discard-only
        "2001:db8::1",  # documentation
        "169.254.169.254",
        "127.0.0.1",
        "10.0.0.1",
        "100.64.0.1",  # shared address space
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
    ],
)
def test_an_address_that_is_or_wraps_a_local_one_is_refused(address):
    with pytest.raises(FetchError, match="private or local address"):
        checked_address(address, 80, allow_private=False)
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(FetchError, match="private or local address"):
        fetch(f"http://{host}/", allow_private=False)


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "2606:4700:4700::1111",
        "2a00:1450:4001:81c::200e",
        "64:ff9b::5db8:d70e",  # NAT64 of 93.184.215.14, as DNS64 answers for it
        "2002:5db8:d70e::1",  # 6to4 of 93.184.215.14
        "::ffff:93.184.215.14",
    ],
)
def test_a_public_address_passes_the_check(address):
    assert checked_address(address, 80, allow_private=False) == address


@pytest.mark.parametrize(
    "url", ["ftp://example.org/a.txt", "file:///etc/passwd", "javascript:alert(1)", "gopher://x"]
)
def test_only_http_and_https_are_fetched(url):
    with pytest.raises(FetchError, match="Only http and https"):
        fetch(url, allow_private=True)


@pytest.mark.parametrize("path", ["/big-declared", "/big-chunked"])
def test_a_body_over_the_limit_is_refused(server, path):
    with pytest.raises(FetchError, match="larger than"):
        fetch(f"{server}{path}", allow_private=True, max_bytes=5000)


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers"])
def test_a_server_that_sends_slowly_is_cut_off_at_the_deadline(server, path):
    with pytest.raises(FetchError, match="took longer than"):
        fetch(f"{server}{path}", allow_private=True, timeout=5, deadline=0.3)


def test_the_deadline_covers_the_whole_fetch_and_not_each_read(server, settings):
    settings.SOURCE_FETCH_DEADLINE = 0.3
    with pytest.raises(FetchError, match=r"took longer than 0\.3 s"):
        fetch(f"{server}/trickle", allow_private=True)


def test_redirects_are_followed_and_the_final_address_kept(server):
    fetched = fetch(f"{server}/redirect", allow_private=True)
    assert fetched.body == ARTICLE
    assert fetched.final_url == f"{server}/article"
    assert fetched.content_type.startswith("text/html")


def test_a_redirect_to_another_scheme_is_refused(server):
    with pytest.raises(FetchError, match="Only http and https"):
        fetch(f"{server}/redirect-ftp", allow_private=True)


def test_endless_redirects_stop(server):
    with pytest.raises(FetchError, match="redirects"):
        fetch(f"{server}/loop", allow_private=True)


def test_an_error_status_is_reported(server):
    with pytest.raises(FetchError, match="404"):
        fetch(f"{server}/nothing", allow_private=True)


def test_a_host_that_does_not_resolve_is_reported():
    with pytest.raises(FetchError, match="does not resolve"):
        fetch("http://no-such-host.invalid/", allow_private=True)
