"""The uploaded scans of an order, streamed to those who may see the order."""

import filetype

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from . import selectors, uploads
from .models import LegStamp, MissionOrder


FILE_KINDS = {
    "invitation": (MissionOrder, "invitation_scan"),
    "approval": (MissionOrder, "approval_scan"),
    "report": (MissionOrder, "report_file"),
    "stamp": (LegStamp, "scan"),
}


@login_required
@require_GET
def file(request, kind, pk):
    """Stream an uploaded scan to someone who may see its order; files are named by model, id and field."""
    if kind not in FILE_KINDS:
        raise Http404
    model, field = FILE_KINDS[kind]
    if model is LegStamp:
        obj = get_object_or_404(LegStamp.objects.select_related("traveller"), pk=pk)
        order_id = obj.traveller.order_id
    else:
        obj, order_id = None, pk
    order = selectors.order_for(request.user, order_id)
    if order is None:
        raise Http404
    stored = getattr(obj or order, field)
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    kind_guess = filetype.guess(handle.read(8192))
    handle.seek(0)
    mime = kind_guess.mime if kind_guess else "application/octet-stream"
    name = f"order-{order.pk}-{kind}-{pk}"
    if mime in uploads.VIEWABLE_IMAGES and request.GET.get("original") != "1":
        # Shown inline only as the portal's own re-encoded JPEG (HEIC photos too, which most browsers cannot
        # show); the stored original downloads with ?original=1.
        with handle:
            response = HttpResponse(uploads.image_for_view(handle), content_type="image/jpeg")
        response["Content-Disposition"] = f'inline; filename="{name}.jpg"'
    else:
        # Everything else, PDFs included, is a download: never rendered by the browser in the portal's origin.
        ext = uploads.EXTENSIONS.get(mime, "bin")
        response = FileResponse(handle, content_type=mime, as_attachment=True, filename=f"{name}.{ext}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
