"""Forms of the finance pages. Numbers may be typed in Khmer or ASCII digits."""

from collections import OrderedDict
from datetime import date

from django import forms
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import get_language

from khmer.digits import from_khmer_digits
from ministry.models import Unit
from missions.models import State


class KhmerDigitsMixin:
    def to_python(self, value):
        if isinstance(value, str):
            value = from_khmer_digits(value).replace(" ", "").replace(",", "")
        return super().to_python(value)


class AmountField(KhmerDigitsMixin, forms.DecimalField):
    """A text box, not ``type=number``: a browser's number box refuses Khmer digits."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")


class CountField(KhmerDigitsMixin, forms.IntegerField):
    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")


class SettlementForm(forms.Form):
    advance = AmountField(label=_("Advance paid (USD)"), initial=0)
    meals_days = CountField(label=_("Days with meals provided by the host"), initial=0, max_value=366)
    lodging_nights = CountField(label=_("Nights with lodging provided by the host"), initial=0, max_value=366)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class OverrideForm(forms.Form):
    reason = forms.CharField(label=_("Reason for approving beyond the budget"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)


class BudgetLineForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.filter(active=True))
    fiscal_year = CountField(label=_("Fiscal year"), min_value=2000, max_value=2100)
    amount = AmountField(label=_("Amount (USD)"))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


def year_choices():
    this = timezone.localdate().year
    return [(y, y) for y in range(this + 1, this - 6, -1)]


class YearField(KhmerDigitsMixin, forms.IntegerField):
    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class RegisterFilter(forms.Form):
    issuer = forms.ModelChoiceField(label=_("Issuer"), queryset=Unit.objects.none(), required=False, empty_label=None)
    year = YearField(label=_("Year"))
    month = forms.TypedChoiceField(label=_("Month issued"), required=False, coerce=int, empty_value=None,
                                   choices=[("", "—")] + [(m, m) for m in range(1, 13)])
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", "—")] + [(s.value, s.label) for s in
                                                     (State.ISSUED, State.REVOKED, State.RETURNED, State.SENT_BACK,
                                                      State.ACCEPTED)])
    q = forms.CharField(label=_("Number or traveller"), required=False, max_length=100)

    def __init__(self, *args, issuers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = Unit.objects.filter(pk__in=[u.pk for u in issuers])


class StatisticsFilter(forms.Form):
    year = YearField(label=_("Year"))
    month = forms.TypedChoiceField(label=_("Month of the report"), required=False, coerce=int, empty_value=None,
                                   choices=[("", "—")] + [(m, m) for m in range(1, 13)])


class AwayFilter(forms.Form):
    view = forms.ChoiceField(label=_("View"), required=False, choices=[("week", _("Week")), ("month", _("Month"))])
    day = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    group = forms.ChoiceField(label=_("Who"), required=False, choices=[("unit", _("My unit")),
                                                                       ("leadership", _("Leadership group"))])
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units


def clean_year(form, default: int | None = None) -> int:
    year = form.cleaned_data.get("year") if form.is_valid() else None
    return year or default or timezone.localdate().year


def today() -> date:
    return timezone.localdate()


_FORM_HTML: "OrderedDict[tuple, str]" = None  # created on first use
FORM_HTML_KEEP = 512


def filter_html(form, *, choices=()) -> str:
    """The filter form's fields as HTML, kept per process by (form, language, values, choices).

    Django renders every option of a select through the template engine: a few small filter forms cost
    more than the rest of a finance page. The HTML depends only on the form's values and choices, which
    are part of the key (``choices``: the rows the choice fields list, read by the caller), so a kept
    copy is never stale. A form with errors is rendered every time."""
    global _FORM_HTML
    if _FORM_HTML is None:
        _FORM_HTML = OrderedDict()
    if form.is_bound and not form.is_valid():
        return render_to_string("missions/_filters.html", {"form": form})
    values = tuple(sorted((k, tuple(form.data.getlist(k))) for k in form.fields if k in form.data)) if form.is_bound else ()
    initial = tuple(sorted((k, str(v)) for k, v in form.initial.items()))
    key = (type(form).__name__, get_language(), values, initial, tuple(choices))
    html = _FORM_HTML.get(key)
    if html is None:
        html = mark_safe(render_to_string("missions/_filters.html", {"form": form}))
        _FORM_HTML[key] = html
        if len(_FORM_HTML) > FORM_HTML_KEEP:
            _FORM_HTML.popitem(last=False)
    else:
        _FORM_HTML.move_to_end(key)
    return html
