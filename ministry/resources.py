"""Import and export of units and officials (CSV/XLSX) with row-by-row errors.

The admin shows a preview with every row's errors; nothing is written unless the
whole file is clean (transactions, rollback on validation errors)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from .admin_audit import audit_change, fresh, snapshot
from .models import HONORIFIC_EN, Honorific, Official, Position, Province, Unit
from .services import official_ensure_holding


class CodeWidget(widgets.ForeignKeyWidget):
    """A foreign key given by its code, with a message that names the unknown code."""

    def __init__(self, model, label):
        super().__init__(model, field="code")
        self.label = label

    def clean(self, value, row=None, **kwargs):
        value = (value or "").strip() if isinstance(value, str) else value
        if not value:
            return None
        try:
            return self.model.objects.get(code=value)
        except self.model.DoesNotExist as exc:
            raise ValueError(_("Unknown %(what)s “%(code)s”.") % {"what": self.label, "code": value}) from exc


class HonorificWidget(widgets.Widget):
    """Accepts the code (lok), the Khmer word (លោក) or the English form (Mr)."""

    def clean(self, value, row=None, **kwargs):
        text = (value or "").strip()
        for choice in Honorific:
            if text in (choice.value, choice.label, HONORIFIC_EN[choice.value]):
                return choice.value
        raise ValueError(
            _("Unknown honorific “%(value)s”; use one of: %(allowed)s.")
            % {"value": text, "allowed": ", ".join(c.label for c in Honorific)}
        )

    def render(self, value, obj=None, **kwargs):
        return Honorific(value).label if value else ""


class AuditedResource(resources.ModelResource):
    """Every row an import writes goes to the audit trail with the importing user and the values before
    and after (nothing is written on the dry run that shows the preview)."""

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        self._audit_before = snapshot(fresh(instance))

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if kwargs.get("dry_run") or instance.pk is None:
            return
        before = getattr(self, "_audit_before", {})
        after = snapshot(fresh(instance))
        verb = "changed" if before else "added"
        if not before:
            before = {k: None for k in after}
        audit_change(instance, verb, by=kwargs.get("user"), before=before, after=after, source="import",
                     file=str(kwargs.get("file_name") or "")[:200])


class UnitResource(AuditedResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=CodeWidget(Unit, _("parent unit")))
    province = fields.Field(attribute="province", column_name="province", widget=CodeWidget(Province, _("province")))

    class Meta:
        model = Unit
        import_id_fields = ["code"]
        fields = ["code", "parent", "kind", "name_km", "name_en", "abbreviation_km", "abbreviation_en", "province",
                  "active"]
        skip_unchanged = True
        clean_model_instances = True
        use_transactions = True

    def before_import_row(self, row, **kwargs):
        kind = (row.get("kind") or "").strip()
        if kind not in Unit.Kind.values:
            raise ValueError(_("Unknown kind of unit “%(kind)s”.") % {"kind": kind})


class OfficialResource(AuditedResource):
    honorific = fields.Field(attribute="honorific", column_name="honorific", widget=HonorificWidget())
    unit = fields.Field(attribute="unit", column_name="unit", widget=CodeWidget(Unit, _("unit")))
    position = fields.Field(attribute="position", column_name="position", widget=CodeWidget(Position, _("position")))

    class Meta:
        model = Official
        import_id_fields = ["civil_service_id"]
        fields = ["civil_service_id", "honorific", "name_km", "name_latin", "gender", "unit", "position", "phone",
                  "email", "active"]
        skip_unchanged = True
        clean_model_instances = True
        use_transactions = True

    def before_import(self, dataset, **kwargs):
        self._seen = set()
        if "civil_service_id" not in (dataset.headers or []):
            raise ValidationError(_("The file has no “civil_service_id” column."))

    def before_import_row(self, row, **kwargs):
        key = str(row.get("civil_service_id") or "").strip()
        if not key:
            raise ValueError(_("The civil-service ID is missing."))
        if key in self._seen:
            raise ValueError(_("The civil-service ID %(id)s appears twice in the file.") % {"id": key})
        self._seen.add(key)
        gender = (row.get("gender") or "").strip().lower()
        if gender not in Official.Gender.values:
            raise ValueError(_("Gender must be m or f."))
        row["gender"] = gender

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            official_ensure_holding(instance)
        super().after_save_instance(instance, row, **kwargs)
