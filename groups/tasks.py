"""Thin tasks: take ids, re-fetch, call one function; safe to run twice."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from common import queue

from .delivery import deliver, lease, release_waiting
from .models import Notice
from .services import orders_post_missing, post_publish_order, returns_digest_send

log = logging.getLogger(__name__)


def enqueue(notice_id: int, countdown: float | None = None) -> bool:
    """Queue a send; a broker outage is not an error (the sweeper picks the row up later)."""
    try:
        send_notice.apply_async((notice_id,), countdown=countdown, retry=False)
        return True
    except Exception as exc:  # noqa: BLE001  (kombu raises several kinds)
        log.warning("notice %s not queued (%s); the outbox sweeper will send it", notice_id, exc)
        return False


@queue.job("groups.send_notice")
def queue_send(notice_id: int) -> None:
    enqueue(notice_id)  # looked up when called, so a test may replace ``enqueue``


@queue.job("groups.publish_order")
def queue_publish_order(order_id: int, document_id: int, by_id: int | None) -> None:
    """Run on the commit of the issue, in the process that issued it: the post and its notices, one transaction."""
    try:
        by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
        post_publish_order(order_id=order_id, document_id=document_id, by=by)
    except Exception:  # noqa: BLE001  (the order is issued whatever happens to its post)
        log.exception("order %s: could not publish it to the leadership group", order_id)


@queue.job("groups.release_waiting")
def queue_release(document_id: int) -> None:
    """Run on the commit that stored the PDF, in the process that stored it: a few rows, no broker round trip.
    A failure here is logged; the notices then go at the end of their wait (the outbox sweeper)."""
    try:
        release_waiting(document_id)
    except Exception:  # noqa: BLE001  (the document is stored whatever happens to its notices)
        log.exception("document %s: could not release the notices waiting for it", document_id)


@shared_task(ignore_result=True)
def sweep_order_posts() -> int:
    """Issued orders whose post to the leadership group failed on the issue's commit: posted now."""
    return orders_post_missing()


@shared_task(acks_late=True, ignore_result=True)
def send_notice(notice_id: int) -> str:
    outcome = deliver(notice_id)
    if outcome.countdown is not None:
        enqueue(notice_id, countdown=max(0.0, outcome.countdown))
    return outcome.status


@shared_task(ignore_result=True)
def sweep_outbox(limit: int = 1000) -> int:
    """Re-queue rows left behind: pending/failed and overdue, or 'sending' longer than the lease."""
    now = timezone.now()
    grace = timedelta(seconds=settings.NOTICE_SWEEP_GRACE)
    left = (
        Q(state__in=[Notice.State.PENDING, Notice.State.FAILED], next_attempt_at__lte=now - grace)
        | Q(state=Notice.State.SENDING, claimed_at__lt=now - lease())
    )
    with transaction.atomic():
        qs = Notice.objects.filter(left).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("pk", flat=True)[:limit])
        # Not picked again before the grace has passed once more; a send whose worker vanished becomes a retry.
        Notice.objects.filter(pk__in=ids).exclude(state=Notice.State.SENDING).update(next_attempt_at=now)
        Notice.objects.filter(pk__in=ids, state=Notice.State.SENDING).update(
            state=Notice.State.FAILED, next_attempt_at=now, claimed_at=None,
            last_error="the worker sending it stopped; sending again",
        )
    for pk in ids:
        enqueue(pk)
    if ids:
        log.info("outbox sweeper re-queued %d notices", len(ids))
    return len(ids)


@shared_task
def send_returns_digest() -> int:
    return returns_digest_send()
