"""The work of the render task: claim one ``OrderDocument`` row, render its frozen sheet, store the file
privately with its SHA-256, or record the failure — the order itself never changes here; and the beat
sweeper for rows left pending or failed.  ``missions.tasks`` calls these; the PDF itself is made by
``missions.documents.render``.  Storing a PDF announces ``events.document_ready`` inside its transaction.
"""

import hashlib
import logging
import time
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from common import queue

from . import events
from .documents import render
from .models import OrderDocument

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=1)
CLAIM_LEASE = timedelta(minutes=10)
"""A claimed row whose render has not finished after this long (a worker died) may be claimed again."""


def _claim(document_id: int) -> bool:
    """Take the row for this run: pending/failed, attempts left, no live claim. One UPDATE, so two runs
    cannot both win. While a render is under way ``rendered_at`` holds the claim time (the lease)."""
    now = timezone.now()
    return bool(
        OrderDocument.objects.filter(
            pk=document_id,
            status__in=(OrderDocument.Status.PENDING, OrderDocument.Status.FAILED),
            attempts__lt=MAX_ATTEMPTS,
        )
        .filter(Q(rendered_at__isnull=True) | Q(rendered_at__lt=now - CLAIM_LEASE))
        .update(status=OrderDocument.Status.PENDING, attempts=F("attempts") + 1, rendered_at=now, error="")
    )


def render_document(document_id: int) -> str:
    """Render one requested version of an order's PDF. Safe to run twice: a second run does nothing.

    Returns "ready", "failed" or "skipped". A failure is recorded on the row (status, error,
    attempts) for the order page and the sweeper; the order is left as it is.
    """
    if not _claim(document_id):
        return "skipped"
    doc = OrderDocument.objects.select_related("order", "order__issuing_unit").get(pk=document_id)
    started = time.perf_counter()
    try:
        pdf = render.render_sheet_pdf(render.frozen_sheet(doc))
        return _store(document_id, pdf, round((time.perf_counter() - started) * 1000))
    except Exception as exc:  # a render or storage error is recorded on the row, not raised into the worker
        log.exception("rendering document %s failed", document_id)
        OrderDocument.objects.filter(pk=document_id).update(
            status=OrderDocument.Status.FAILED,
            error=f"{exc.__class__.__name__}: {exc}"[:2000],
            rendered_at=None,
        )
        return "failed"


def _store(document_id: int, pdf: bytes, elapsed_ms: int) -> str:
    """Write the file (private storage, random name) and mark the row ready, or leave nothing behind."""
    with transaction.atomic():
        doc = OrderDocument.objects.select_for_update().get(pk=document_id)
        if doc.status != OrderDocument.Status.PENDING:  # pragma: no cover - someone else finished it
            return "skipped"
        doc.file.save(f"order-{doc.order_id}-v{doc.version}-{doc.language}.pdf", ContentFile(pdf), save=False)
        try:
            doc.sha256 = hashlib.sha256(pdf).hexdigest()
            doc.size = len(pdf)
            doc.render_ms = elapsed_ms
            doc.status = OrderDocument.Status.READY
            doc.rendered_at = timezone.now()
            doc.error = ""
            doc.save(update_fields=["file", "sha256", "size", "render_ms", "status", "rendered_at", "error"])
        except Exception:
            doc.file.storage.delete(doc.file.name)
            raise
        events.document_ready.send(sender=OrderDocument, document=doc)
    return "ready"


def retry_pending(now=None) -> int:
    """Queue again the renders left pending or failed for more than a minute with attempts left."""
    now = now or timezone.now()
    ids = list(
        OrderDocument.objects.filter(
            status__in=(OrderDocument.Status.PENDING, OrderDocument.Status.FAILED),
            attempts__lt=MAX_ATTEMPTS,
            created__lt=now - RETRY_AFTER,
        )
        .filter(Q(rendered_at__isnull=True) | Q(rendered_at__lt=now - CLAIM_LEASE))
        .values_list("pk", flat=True)
    )
    for pk in ids:
        queue.now("missions.render_document", pk)
    return len(ids)
