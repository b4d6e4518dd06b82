"""Fetch a document from an address an editor gives, without letting the address reach
what it should not.

Only http and https; every address the host name resolves to must be public
(not loopback, private, link-local, multicast, reserved or unspecified, nor an
IPv6 address that carries such an IPv4 address) unless
SOURCE_FETCH_ALLOW_PRIVATE is on, and the connection goes to an address that
was checked, so a second DNS answer cannot swap in another. Redirects are
followed by hand, each new address checked the same way. Connect and read
time out, and the whole fetch ends after SOURCE_FETCH_DEADLINE whatever the
server sends; a body larger than SOURCE_FETCH_MAX_BYTES is refused as it streams.
"""

import contextlib
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import urllib3
import urllib3.connection
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "RelationsTimeline/1.0 (an editor adding a source)"
# IPv6 addresses that reach the IPv4 address they carry (network, bits to its right):
# the IPv4 address is the one to check. Python's is_global takes most of them for
# public whatever they carry.
IPV6_WRAPPING_IPV4 = [
    (ipaddress.ip_network("::ffff:0:0/96"), 0),  # IPv4-mapped
    (ipaddress.ip_network("::ffff:0:0:0/96"), 0),  # IPv4-translated (SIIT)
    (ipaddress.ip_network("64:ff9b::/96"), 0),  # NAT64, the well-known prefix
    (ipaddress.ip_network("::/96"), 0),  # IPv4-compatible, :: and ::1 among them
    (ipaddress.ip_network("2002::/16"), 80),  # 6to4
]
# Never public, though is_global may say so: local-use NAT64 (where the IPv4 address
# sits depends on the network), Teredo (the client address is hidden) and the
# deprecated site-local addresses.
IPV6_LOCAL = [
    ipaddress.ip_network("64:ff9b:1::/48"),
    ipaddress.ip_network("2001::/32"),
    ipaddress.ip_network("fec0::/10"),
]


class FetchError(Exception):
    """The address cannot or may not be fetched; the message says why."""


@dataclass(frozen=True)
class Fetched:
    body: bytes
    content_type: str
    final_url: str
    retrieved_at: datetime


def fetch(url, *, allow_private=None, timeout=None, max_bytes=None, deadline=None):
    allow_private = settings.SOURCE_FETCH_ALLOW_PRIVATE if allow_private is None else allow_private
    timeout = timeout or settings.SOURCE_FETCH_TIMEOUT
    max_bytes = max_bytes or settings.SOURCE_FETCH_MAX_BYTES
    with Deadline(deadline or settings.SOURCE_FETCH_DEADLINE) as time_left:
        try:
            return _fetch(url, allow_private, timeout, max_bytes, time_left)
        except FetchError:
            if time_left.expired:
                raise FetchError(_too_slow(time_left.seconds)) from None
            raise


def _fetch(url, allow_private, timeout, max_bytes, time_left):
    for _redirect in range(MAX_REDIRECTS + 1):
        response = _get_once(url, allow_private, timeout, time_left)
        location = response.headers.get("Location")
        if response.status in REDIRECTS and location:
            response.release_conn()
            url = urljoin(url, location)
            continue
        if response.status != 200:
            response.release_conn()
            raise FetchError(
                _("The server answered %(status)d for %(url)s.")
                % {"status": response.status, "url": url}
            )
        body = _read_limited(response, max_bytes)
        if time_left.expired:
            # The connection was shut down, which ends a body of no stated length early.
            raise FetchError(_too_slow(time_left.seconds))
        return Fetched(
            body=body,
            content_type=response.headers.get("Content-Type", ""),
            final_url=url,
            retrieved_at=timezone.now(),
        )
    raise FetchError(_("More than %(count)d redirects.") % {"count": MAX_REDIRECTS})


def _get_once(url, allow_private, timeout, time_left):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(
            _("Only http and https addresses can be fetched, not “%(scheme)s:”.")
            % {"scheme": parts.scheme}
        )
    host = parts.hostname
    if not host:
        raise FetchError(_("The address has no host name."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError(_("The address has an invalid port.")) from exc
    address = checked_address(host, port, allow_private)
    pool_class = _HTTPSPool if parts.scheme == "https" else _HTTPPool
    options = {"server_hostname": host, "assert_hostname": host} if parts.scheme == "https" else {}
    pool = pool_class(
        address,
        port,
        timeout=urllib3.Timeout(connect=min(timeout, time_left.remaining()), read=timeout),
        retries=False,
        maxsize=1,
        time_left=time_left,
        **options,
    )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    if ":" in host and not host_header.startswith("["):
        host_header = f"[{host}]" + (f":{parts.port}" if parts.port else "")
    try:
        return pool.urlopen(
            "GET",
            path,
            headers={"Host": host_header, "User-Agent": USER_AGENT, "Accept": "*/*"},
            redirect=False,
            preload_content=False,
            decode_content=True,
        )
    except urllib3.exceptions.HTTPError as exc:
        raise FetchError(
            _("Could not fetch %(url)s: %(error)s") % {"url": url, "error": exc}
        ) from exc


def checked_address(host, port, allow_private):
    """An address of `host` to connect to, after checking every address it resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(_("The host name “%(host)s” does not resolve.") % {"host": host}) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_private:
        for address in addresses:
            if not is_public(ipaddress.ip_address(address.split("%")[0])):
                raise FetchError(
                    _(
                        "“%(host)s” resolves to %(address)s, a private or local address; "
                        "only public addresses are fetched."
                    )
                    % {"host": host, "address": address}
                )
    return addresses[0]


def is_public(ip):
    """Whether `ip` is a public unicast address, and so is any IPv4 address it carries."""
    if ip.version == 6:
        for network, shift in IPV6_WRAPPING_IPV4:
            if ip in network:
                return is_public(ipaddress.IPv4Address((int(ip) >> shift) & 0xFFFFFFFF))
        if any(ip in network for network in IPV6_LOCAL):
            return False
    return ip.is_global and not ip.is_multicast


def _read_limited(response, max_bytes):
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        response.release_conn()
        raise FetchError(_too_large(max_bytes))
    chunks, size = [], 0
    try:
        for chunk in response.stream(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(_too_large(max_bytes))
            chunks.append(chunk)
    except urllib3.exceptions.HTTPError as exc:
        raise FetchError(_("The download failed: %(error)s") % {"error": exc}) from exc
    finally:
        response.release_conn()
    return b"".join(chunks)


def _too_slow(seconds):
    return _("The server took longer than %(seconds)s s to send the document.") % {
        "seconds": f"{seconds:g}"
    }


def _too_large(max_bytes):
    return _("The document is larger than %(size)d MB, the limit.") % {
        "size": max_bytes // (1024 * 1024) or 1
    }


class Deadline:
    """The time one fetch may take, connecting, redirects and all. When it is up, the
    sockets of the fetch are shut down: a server that sends a byte now and then never
    lets a read time out, and a blocked read can only be ended from outside."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._sockets = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self.expire)
        self._timer.daemon = True

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        self._timer.cancel()

    def remaining(self):
        return max(self.ends - time.monotonic(), 0)

    def watch(self, sock):
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut_down(sock)

    def expire(self):
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut_down(sock)


def _shut_down(sock):
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


class _Watched:
    """A connection whose socket its fetch's Deadline can shut down."""

    def __init__(self, *args, time_left, **kwargs):
        self.time_left = time_left
        super().__init__(*args, **kwargs)

    def _new_conn(self):
        sock = super()._new_conn()
        self.time_left.watch(sock)
        return sock


class _HTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection
