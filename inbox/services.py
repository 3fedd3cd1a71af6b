"""Writing to and reading the inbox.  ``notify`` is the one door: call it inside the transaction of the change
that causes the notice (a row commits or rolls back with it)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags

from .models import Notification


def notify(official, *, kind: str, text: str, url: str = "", key: str) -> Notification | None:
    """Put a notice in ``official``'s inbox (``text`` may be the Telegram HTML of the notice: it is kept as
    plain text).  ``key`` makes it idempotent: a second call with the same key writes nothing."""
    if official is None:
        return None
    plain = "\n".join(line.strip() for line in strip_tags(text).splitlines()).strip()
    try:
        with transaction.atomic():
            return Notification.objects.create(official=official, kind=kind[:40], text=plain, url=url[:300],
                                               key=key[:200])
    except IntegrityError:
        if Notification.objects.filter(key=key[:200]).exists():
            return None
        raise


def unread_count(official) -> int:
    if official is None:
        return 0
    return Notification.objects.filter(official=official, read_at__isnull=True).count()


def mark_read(*, official, pk: int | None = None) -> int:
    """Mark one of ``official``'s notices (or all of them) as read; returns how many changed."""
    qs = Notification.objects.filter(official=official, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(read_at=timezone.now())
