"""Every change made in the admin goes to the portal's audit trail, with its actor and the values before and after.

``AuditedAdminMixin`` goes first in the bases of every ModelAdmin of the portal (a test walks the admin
registry to keep it so). Django's own admin log only says *that* something changed; the audit trail says
*what* changed, from which value to which, and who did it."""

import hashlib

from django.db import models

from .audit import audit

HIDDEN = {"password"}  # stored as a short fingerprint: the trail shows that it changed, never the hash


def plain(value):
    """A value the JSON field can hold: primitives as they are, everything else as text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return str(value)


def snapshot(obj) -> dict:
    """The stored values of ``obj``: concrete fields (foreign keys as ids) and many-to-many ids."""
    if obj is None:
        return {}
    data = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        if field.name in HIDDEN:
            value = hashlib.sha256(str(value).encode()).hexdigest()[:12] if value else ""
        data[field.name] = plain(value)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return data


def fresh(obj):
    """``obj`` as the database has it now (None if it is not there)."""
    if obj is None or obj.pk is None:
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).first()


def difference(before: dict, after: dict) -> tuple[dict, dict]:
    changed = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    return {k: before.get(k) for k in changed}, {k: after.get(k) for k in changed}


def action_name(model, verb: str, source: str = "admin") -> str:
    return f"{source}.{model._meta.app_label}.{model._meta.model_name}.{verb}"[:80]


def audit_change(obj, verb: str, *, by, before: dict, after: dict, source: str = "admin", **extra):
    """One entry with only the fields that changed; none when nothing did."""
    old, new = difference(before, after)
    if not old and not new and not extra.get("inlines"):
        return None
    return audit(obj, action_name(type(obj), verb, source), by=by, before=old, after=new, **extra)


class AuditedAdminMixin:
    """Writes an audit entry for every add, change and delete made through this ModelAdmin
    (forms, inlines, list-editable rows and the delete action)."""

    def _audit_key(self, form):
        return f"_portal_audit_{id(form)}"

    def save_form(self, request, form, change):
        # Called before save_model by the change form and the list-editable rows: the database still holds the
        # values before the change (a subclass's save_model may well not call ours).
        setattr(request, self._audit_key(form), snapshot(fresh(form.instance)) if change else {})
        return super().save_form(request, form, change)

    def save_related(self, request, form, formsets, change):
        before = getattr(request, self._audit_key(form), None)
        if before is None:  # a subclass's save_model did not call ours
            before = {}
        super().save_related(request, form, formsets, change)
        obj = form.instance
        after = snapshot(fresh(obj))
        if not change:
            before = {k: None for k in after}
        inlines = []
        for formset in formsets or ():
            for new in getattr(formset, "new_objects", ()):
                inlines.append({"added": f"{new._meta.label}:{new.pk}", "values": snapshot(new)})
            for changed, fields in getattr(formset, "changed_objects", ()):
                inlines.append({"changed": f"{changed._meta.label}:{changed.pk}", "fields": list(fields),
                                "values": {f: snapshot(changed).get(f) for f in fields}})
            for deleted in getattr(formset, "deleted_objects", ()):
                inlines.append({"deleted": f"{deleted._meta.label}:{deleted.pk}", "values": snapshot(deleted)})
        extra = {"inlines": inlines} if inlines else {}
        audit_change(obj, "changed" if change else "added", by=request.user, before=before, after=after, **extra)

    def delete_model(self, request, obj):
        audit(obj, action_name(type(obj), "deleted"), by=request.user, before=snapshot(obj), after={})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit(obj, action_name(type(obj), "deleted"), by=request.user, before=snapshot(obj), after={})
        super().delete_queryset(request, queryset)
