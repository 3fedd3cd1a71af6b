"""Thin tasks: take ids, re-fetch, call one service; safe to run twice."""

from celery import shared_task


@shared_task(acks_late=True)
def render_order_document(document_id: int) -> str:
    from .documents.render import render_document

    return render_document(document_id)


@shared_task
def sweep_pending_renders() -> int:
    from .documents.render import retry_pending

    return retry_pending()


@shared_task
def mark_overdue_orders() -> int:
    from .services import orders_mark_overdue

    return orders_mark_overdue()
