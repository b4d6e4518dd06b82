from django.conf import settings


def timeline(request):
    return {"timeline_title": settings.TIMELINE_TITLE}
