from django.contrib.contenttypes.models import ContentType

from .models import AuditEntry


def audit(target, action: str, *, by=None, **data) -> AuditEntry:
    """Write one audit entry for ``target``; call it inside the transaction that made the change."""
    return AuditEntry.objects.create(
        actor=by if (by is not None and getattr(by, "pk", None)) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        object_id=str(target.pk),
        data=data,
    )


def trail(target):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False), object_id=str(target.pk)
    ).select_related("actor")
