from django.conf import settings


def timeline(request):
    return {
        "timeline_title": settings.TIMELINE_TITLE,
        "embed_allowed": bool(settings.EMBED_FRAME_ANCESTORS),
    }


def csp_nonce(request):
    """The nonce as `csp_nonce`, the name django-htmx's {% htmx_script %} reads."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
