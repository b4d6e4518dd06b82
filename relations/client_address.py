"""The address a request came from, for the admin login lockout (django-axes)."""

import ipaddress

from django.conf import settings


def client_address(request):
    """REMOTE_ADDR, or the client's address in X-Forwarded-For when REMOTE_ADDR is one of
    settings.TRUSTED_PROXIES; None when the request did not come over IP.

    Anyone who reaches the app's port directly can write anything into the header,
    so it counts only when a named proxy sent the request. Each proxy appends the
    address it received the request from: the client is the right-most entry that
    is not itself a trusted proxy, and what a client wrote sits further left.
    """
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return None
    if is_trusted_proxy(address):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        for entry in reversed(forwarded.split(",")):
            try:
                address = ipaddress.ip_address(entry.strip())
            except ValueError:
                break  # not written by a proxy: the nearest address one wrote stands
            if not is_trusted_proxy(address):
                break
    return str(address)


def is_trusted_proxy(ip):
    ip = getattr(ip, "ipv4_mapped", None) or ip
    return any(ip in network for network in settings.TRUSTED_PROXIES)
