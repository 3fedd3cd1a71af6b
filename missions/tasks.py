"""Thin tasks: take ids, re-fetch, call one service; safe to run twice."""

from celery import shared_task

from common import queue

from .rendering import render_document, retry_pending
from .services import orders_mark_overdue


@shared_task(acks_late=True)
def render_order_document(document_id: int) -> str:
    return render_document(document_id)


@shared_task
def sweep_pending_renders() -> int:
    return retry_pending()


@shared_task
def mark_overdue_orders() -> int:
    return orders_mark_overdue()


@queue.job("missions.render_document")
def queue_render(document_id: int) -> None:
    render_order_document.delay(document_id)
