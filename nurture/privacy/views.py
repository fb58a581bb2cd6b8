from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import NoticeKind
from .services import NoticeMissing, notice_current


@require_GET
def notice(request, kind):
    if kind not in NoticeKind.values:
        raise Http404
    try:
        current = notice_current(kind=kind)
    except NoticeMissing as exc:
        raise Http404 from exc
    return render(request, "privacy/notice.html", {"notice": current})
