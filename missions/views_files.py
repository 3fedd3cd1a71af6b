"""The uploaded scans of an order, streamed to those who may see the order."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from common import uploads

from . import selectors
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
    return uploads.file_response(handle, f"order-{order.pk}-{kind}-{pk}", original=request.GET.get("original") == "1")
