"""The Ministry's organisation: provinces, units, positions, officials, roles, audit."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.language import in_language, reads_english
from common.loading import FastLoading


class BilingualName:
    """``name`` in the active language: Khmer first, English when asked for."""

    name_field_km = "name_km"
    name_field_en = "name_en"

    @property
    def name(self):
        return in_language(getattr(self, self.name_field_km), getattr(self, self.name_field_en))

    def __str__(self):
        return self.name


class Province(BilingualName, models.Model):
    class Kind(models.TextChoices):
        CAPITAL = "capital", _("Capital")
        PROVINCE = "province", _("Province")

    code = models.CharField(_("ISO 3166-2 code"), max_length=8, unique=True)
    name_km = models.CharField(_("Khmer name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PROVINCE)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    @property
    def full_name_km(self):
        return self.place_label(self.kind, self.name_km, self.name_en, "km")

    @classmethod
    def place_label(cls, kind: str, name_km: str, name_en: str, lang: str | None = None) -> str:
        """A province as a destination: ``ខេត្តសៀមរាប`` / ``រាជធានីភ្នំពេញ`` in Khmer, ``Siem Reap`` in English."""
        if reads_english(lang):
            return name_en
        return ("រាជធានី" if kind == cls.Kind.CAPITAL else "ខេត្ត") + name_km


ISSUER_CODES = ("CABINET", "GDAF")


class Unit(FastLoading, BilingualName, models.Model):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        GENERAL_DEPARTMENT = "general_department", _("General department")
        CABINET = "cabinet", _("Cabinet")
        INSPECTORATE = "inspectorate", _("General inspectorate")
        SCHOOL = "school", _("Royal School of Administration")
        PROCUREMENT = "procurement", _("Procurement unit")
        DEPARTMENT = "department", _("Department")
        CENTRE = "centre", _("Centre")
        OFFICE = "office", _("Office")
        PROVINCIAL = "provincial", _("Capital/provincial department")

    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("Short unique code, e.g. GDAF."))
    name_km = models.CharField(_("Khmer name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    abbreviation_km = models.CharField(
        _("abbreviation on letters"), max_length=30, blank=True, help_text=_("Printed after the order number, e.g. ខ.ក.")
    )
    abbreviation_en = models.CharField(_("English abbreviation"), max_length=30, blank=True)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    may_issue_orders = models.BooleanField(
        _("may issue mission orders"),
        default=False,
        help_text=_("Instruction 996 B.1: only the Cabinet and GDAF may issue mission orders."),
    )
    receives_returns = models.BooleanField(
        _("receives mission returns"), default=False, help_text=_("Instruction 996 B.3: returns go to GDAF.")
    )
    issuer_title_km = models.CharField(_("issuer's title on orders (Khmer)"), max_length=200, blank=True)
    issuer_title_en = models.CharField(_("issuer's title on orders (English)"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def clean(self):
        try:
            self.clean_issuer()
        except ValidationError as exc:
            raise ValidationError({"may_issue_orders": exc.messages}) from exc
        if self.kind == self.Kind.PROVINCIAL and not self.province_id:
            raise ValidationError({"province": _("A capital/provincial department needs its province.")})
        if self.parent_id and self.pk and self.parent.path.startswith(self.path or "\0"):
            raise ValidationError({"parent": _("A unit cannot sit under itself.")})

    def save(self, *args, **kwargs):
        self.clean_issuer()
        super().save(*args, **kwargs)
        new_path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if new_path != self.path:
            if self.path:  # moved: the unit and everything under it take the new prefix in one statement
                Unit.objects.filter(path__startswith=self.path).update(
                    path=Concat(Value(new_path), Substr("path", len(self.path) + 1), output_field=models.CharField()))
            else:
                Unit.objects.filter(pk=self.pk).update(path=new_path)
            self.path = new_path

    def clean_issuer(self):
        if self.may_issue_orders and self.code not in ISSUER_CODES and not settings.ALLOW_OTHER_ISSUERS:
            raise ValidationError(_("Only the Cabinet and GDAF may issue mission orders (Instruction 996 B.1)."))

    def lineage_ids(self) -> list[int]:
        """This unit and its ancestors, nearest first."""
        return [int(x) for x in reversed(self.path.strip("/").split("/")) if x]

    def lineage(self, **flags):
        """The units of this unit's lineage (itself included) with the given flags, in no particular order."""
        return Unit.objects.filter(pk__in=self.lineage_ids(), **flags)

    def nearest(self, **flags):
        """The nearest unit in this unit's lineage (itself first) with the given flags, or None."""
        found = {u.pk: u for u in self.lineage(**flags)}
        key = self.nearest_key(found)
        return None if key is None else found[key]

    def nearest_key(self, keys) -> int | None:
        """The nearest of ``keys`` (units of this unit's lineage, as ``lineage`` reads them) to this unit, or None."""
        return next((i for i in self.lineage_ids() if i in keys), None)

    def subtree(self):
        return Unit.objects.filter(path__startswith=self.path)

    @staticmethod
    def subtree_ids(path: str) -> list[int]:
        """The keys of the units under ``path`` (itself included).  Lists filter orders and officials by
        these few keys rather than by a join on the path, which PostgreSQL can only answer by reading every
        order (a search in a general department's orders: 82 ms → 22 ms)."""
        return list(Unit.objects.filter(path__startswith=path).values_list("id", flat=True))

    @property
    def depth(self):
        return self.path.count("/") - 2

    @property
    def abbreviation(self):
        return (self.abbreviation_en or self.abbreviation_km) if reads_english() else self.abbreviation_km


class Position(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title_km = models.CharField(_("Khmer title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 is the highest."))
    in_leadership_group = models.BooleanField(
        _("member of the leadership group"), default=False, help_text=_("Instruction 996 A.1.")
    )
    heads_unit = models.BooleanField(_("heads a unit"), default=False)

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    @property
    def title(self):
        return self.title_en if reads_english() else self.title_km

    def __str__(self):
        return self.title


class Honorific(models.TextChoices):
    SAMDECH = "samdech", "សម្តេច"
    EXCELLENCY = "excellency", "ឯកឧត្តម"
    LOK_CHUMTEAV = "lok_chumteav", "លោកជំទាវ"
    LOK = "lok", "លោក"
    LOK_SREY = "lok_srey", "លោកស្រី"
    NEAK_NEANG_KANHA = "kanha", "អ្នកនាងកញ្ញា"


HONORIFIC_EN = {
    "samdech": "Samdech",
    "excellency": "H.E.",
    "lok_chumteav": "Lok Chumteav",
    "lok": "Mr",
    "lok_srey": "Mrs",
    "kanha": "Miss",
}


HONORIFIC_KM = dict(Honorific.choices)


class Official(FastLoading, models.Model):
    class Gender(models.TextChoices):
        MALE = "m", _("Male")
        FEMALE = "f", _("Female")

    honorific = models.CharField(_("honorific"), max_length=16, choices=Honorific.choices)
    name_km = models.CharField(_("name in Khmer"), max_length=120)
    name_latin = models.CharField(_("name in Latin letters"), max_length=120)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    civil_service_id = models.CharField(_("civil-service ID"), max_length=20, unique=True)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="officials")
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="officials"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="official",
    )

    class Meta:
        ordering = ["position__rank", "name_latin"]
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        indexes = [models.Index(fields=["unit", "active"]), models.Index(fields=["name_latin"])]

    def __str__(self):
        return self.display_name

    @property
    def honorific_label(self):
        if reads_english():
            return HONORIFIC_EN.get(self.honorific, "")
        return self.get_honorific_display()

    @property
    def display_name(self):
        return self.format_name(self.honorific, self.name_km, self.name_latin)

    @staticmethod
    def format_name(honorific: str, name_km: str, name_latin: str, lang: str | None = None) -> str:
        """``លោក សុខ ដារា`` / ``Mr Sok Dara``: the honorific and the name in the reader's language."""
        if reads_english(lang):
            return f"{HONORIFIC_EN.get(honorific, '')} {name_latin}"
        return f"{HONORIFIC_KM.get(honorific, honorific)} {name_km}"

    @property
    def display_name_km(self):
        return f"{Honorific(self.honorific).label} {self.name_km}"


class PositionHolding(models.Model):
    """Who held which position in which unit, and when: membership and signatures depend on it."""

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="holdings")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="holdings")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="holdings")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("position held")
        verbose_name_plural = _("positions held")
        constraints = [
            models.UniqueConstraint(
                fields=["official"], condition=models.Q(ended_on__isnull=True), name="one_current_holding"
            )
        ]

    def __str__(self):
        return f"{self.official} — {self.position} ({self.started_on}–{self.ended_on or ''})"


class Role(models.TextChoices):
    OFFICIAL = "official", _("Official")
    UNIT_HEAD = "unit_head", _("Head of unit")
    ISSUING_CLERK = "issuing_clerk", _("Issuing clerk (Cabinet or GDAF)")
    RETURNS_CLERK = "returns_clerk", _("GDAF returns clerk")
    APPROVER = "approver", _("Leadership approver")
    ADMINISTRATOR = "administrator", _("Administrator")


class AuditEntry(models.Model):
    """One line of the audit trail: who did what to which object, and when."""

    created = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=40)
    target = GenericForeignKey("content_type", "object_id")
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["content_type", "object_id", "created"])]

    def __str__(self):
        return f"{self.created:%Y-%m-%d %H:%M} {self.action}"
