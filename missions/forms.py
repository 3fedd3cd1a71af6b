"""Forms for the mission-order pages: they check the shape of input; the services check the rules."""

import re

from django import forms
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from common import limits
from common.widgets import DayInput
from ministry.models import Official, Province, Unit
from ministry.selectors import issuers, leaders

from . import rules
from .fast_lists import FastSelect, filter_choices, kept
from .models import Basis, Means, State, country_choices

DATE = DayInput()
FILE_ACCEPT = "image/*,application/pdf"


def scan_input():
    return forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT, "capture": "environment"})


def travellers_choices_for(me):
    """Officials a requester may put on a mission: the active officials of their unit's subtree."""
    if me is None:
        return Official.objects.none()
    return (
        Official.objects.filter(active=True, unit__path__startswith=me.unit.path)
        .select_related("position", "unit")
        .order_by("position__rank", "name_latin")
    )


class OfficialChoiceMixin:
    def label_from_instance(self, obj):
        return f"{obj.display_name} · {obj.civil_service_id} · {obj.position.title}"


class OfficialChoiceField(OfficialChoiceMixin, forms.ModelChoiceField):
    pass


class OfficialsField(OfficialChoiceMixin, forms.ModelMultipleChoiceField):
    pass


class _ByUnit(forms.models.ModelChoiceIterator):
    """The choices grouped by unit (an ``<optgroup>`` each, in the order of the unit tree)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict = {}
        for obj in self.queryset.select_related("unit", "position"):
            groups.setdefault(obj.unit, []).append(self.choice(obj))
        for unit in sorted(groups, key=lambda u: u.path):
            yield (str(unit), groups[unit])


class LeaderChoiceField(OfficialChoiceField):
    """A leader, found by unit: the options are grouped under each leader's unit and name the position, so
    eight holders of "Head of Department" can be told apart."""

    iterator = _ByUnit

    def label_from_instance(self, obj):
        return f"{obj.display_name} · {obj.position.title}"


class ChosenPeople(forms.CheckboxSelectMultiple):
    """Only the people chosen so far, each a ticked box (a tap removes one, and only that one); others are
    added through the search beside it, so a unit of hundreds is never listed whole."""

    def render(self, name, value, attrs=None, renderer=None):
        keys = [str(v) for v in (value or []) if str(v).isdigit()]
        people = {str(o.pk): o for o in self.choices.queryset.filter(pk__in=keys)} if keys else {}
        return render_to_string("missions/_traveller_options.html", {
            "people": [people[k] for k in dict.fromkeys(keys) if k in people], "checked": True, "chosen": True})


class ChosenHead(forms.Select):
    """The head of delegation among the travellers chosen so far (portal.js adds those ticked later)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.shown: list = []

    def optgroups(self, name, value, attrs=None):
        self.choices = [("", "—")] + [(o.pk, o.display_name) for o in self.shown]
        return super().optgroups(name, value, attrs)


class OrderForm(forms.Form):
    issuing_unit = forms.ModelChoiceField(
        label=_("Issued by"), queryset=Unit.objects.none(),
        help_text=rules.B1_MESSAGE,
    )
    purpose_km = forms.CharField(label=_("Purpose (Khmer)"), max_length=limits.PURPOSE, widget=forms.Textarea(attrs={"rows": 2, "lang": "km"}))
    purpose_en = forms.CharField(label=_("Purpose (English)"), required=False, max_length=limits.PURPOSE,
                                 widget=forms.Textarea(attrs={"rows": 2, "lang": "en"}))
    basis = forms.ChoiceField(label=_("Basis (B.2)"), choices=Basis.choices, widget=forms.RadioSelect)
    invitation_sender = forms.CharField(label=_("Inviting body"), max_length=200, required=False)
    invitation_number = forms.CharField(label=_("Letter number"), max_length=60, required=False)
    invitation_date = forms.DateField(label=_("Letter date"), required=False, widget=DATE)
    invitation_scan = forms.FileField(label=_("Scanned letter"), required=False, widget=scan_input())
    approval_leader = LeaderChoiceField(label=_("Leader who approved in principle"), queryset=Official.objects.none(),
                                        required=False)
    approval_date = forms.DateField(label=_("Approval date"), required=False, widget=DATE)
    approval_note = forms.CharField(label=_("Approval note"), required=False, max_length=limits.APPROVAL_NOTE, widget=forms.Textarea(attrs={"rows": 2}))
    approval_scan = forms.FileField(label=_("Scanned approval"), required=False, widget=scan_input())
    invitation_scan_held = forms.CharField(required=False, widget=forms.HiddenInput)
    approval_scan_held = forms.CharField(required=False, widget=forms.HiddenInput)
    approver = LeaderChoiceField(label=_("Leader asked to approve"), queryset=Official.objects.none(),
                                 help_text=_("Proposed from your chain of command; only leaders who can approve "
                                             "in the portal or on Telegram are listed."))
    travellers = OfficialsField(label=_("Travellers"), queryset=Official.objects.none(), widget=ChosenPeople,
                                help_text=_("Untick to remove; search by name or ID below to add."))
    head = OfficialChoiceField(label=_("Head of delegation"), queryset=Official.objects.none(), required=False,
                               widget=ChosenHead)
    # Taken from the itinerary when left out: the first leg's date and the last leg's date.
    departure_date = forms.DateField(label=_("Departure date"), widget=DATE, required=False)
    return_date = forms.DateField(label=_("Return date"), widget=DATE, required=False,
                                  help_text=_("The day you are back; the last leg's date if left empty."))

    def __init__(self, *args, me=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("approver", "approval_leader"):  # portal.js puts a filter box before these lists
            self.fields[name].widget.attrs["data-searchable"] = _("Type part of a name, position or unit")
        self.fields["issuing_unit"].queryset = issuers()
        self.fields["approver"].queryset = rules.approvers(me)
        if not self.is_bound and not self.initial.get("approver"):
            self.initial["approver"] = getattr(rules.approver_proposal(me), "pk", None)
        self.fields["approval_leader"].queryset = leaders()
        people = travellers_choices_for(me)
        self.fields["travellers"].queryset = people
        self.fields["head"].queryset = people
        chosen = self["travellers"].value() or []
        keys = [str(v) for v in chosen if str(v).isdigit()]
        found = {str(o.pk): o for o in people.filter(pk__in=keys)} if keys else {}
        self.fields["head"].widget.shown = [found[k] for k in dict.fromkeys(keys) if k in found]

    def chosen_approver(self):
        """The leader in the approver list now (the one proposed, or the one the user chose), shown as one line
        with a "change" beside it."""
        key = str(self["approver"].value() or "")
        if not key.isdigit():
            return None
        return self.fields["approver"].queryset.select_related("position", "unit").filter(pk=key).first()

    # The rules (B.1, B.2, dates, head of delegation, approver) are the service's: ``services._validate_input``.


class LegForm(forms.Form):
    """One row of the itinerary: from and to are each a province, or a foreign country and city."""

    from_province = forms.ModelChoiceField(label=_("From (province)"), queryset=Province.objects.all(), required=False)
    from_country = forms.ChoiceField(label=_("or country"), required=False)
    from_city = forms.CharField(label=_("and city"), max_length=100, required=False)
    to_province = forms.ModelChoiceField(label=_("To (province)"), queryset=Province.objects.all(), required=False)
    to_country = forms.ChoiceField(label=_("or country"), required=False)
    to_city = forms.CharField(label=_("and city"), max_length=100, required=False)
    travel_date = forms.DateField(label=_("Date"), widget=DATE)
    means = forms.ChoiceField(label=_("Means of travel"), choices=Means.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(c, n) for c, n in country_choices() if c != "KH"]
        self.fields["from_country"].choices = choices
        self.fields["to_country"].choices = choices

    def clean(self):
        data = super().clean()
        for end in ("from", "to"):
            province, country, city = (data.get(f"{end}_{x}") for x in ("province", "country", "city"))
            if province and (country or city):
                self.add_error(f"{end}_province", _("Choose a province, or a country and a city, not both."))
            elif not province and not (country and city):
                self.add_error(f"{end}_province", _("Choose a province, or a foreign country and a city."))
        return data


LEG_KEY = re.compile(r"^leg-([0-9a-f]{1,16})-travel_date$")


def leg_prefixes(post) -> list[str]:
    """The prefixes of the itinerary rows in the order the browser sent them."""
    seen = []
    for key in post:
        m = LEG_KEY.match(key)
        if m and f"leg-{m.group(1)}" not in seen:
            seen.append(f"leg-{m.group(1)}")
    return seen  # more than limits.MAX_LEGS rows is refused with a message, never cut silently


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class StampForm(forms.Form):
    departed_on = forms.DateField(label=_("Departed on"), widget=DATE)
    arrived_on = forms.DateField(label=_("Arrived on"), widget=DATE)
    scan = forms.FileField(label=_("Photo or scan of the stamped visa sheet"), required=False, widget=forms.FileInput(
        attrs={"accept": FILE_ACCEPT, "capture": "environment"}))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReportForm(forms.Form):
    report_text = forms.CharField(label=_("Report on the results of the mission"), max_length=limits.REPORT,
                                  widget=forms.Textarea(attrs={"rows": 6}))
    report_file = forms.FileField(label=_("Attachment (optional)"), required=False, widget=forms.FileInput(
        attrs={"accept": FILE_ACCEPT}))


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("Name, number, province, purpose or date")}))
    state = forms.ChoiceField(label=_("State"), required=False, widget=FastSelect)
    unit = forms.ModelChoiceField(label=_("Requesting unit"), queryset=Unit.objects.filter(active=True), required=False,
                                  widget=FastSelect)
    issuer = forms.ModelChoiceField(label=_("Issuer"), queryset=Unit.objects.none(), required=False,
                                    widget=FastSelect)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Until"), required=False, widget=DATE)
    province = forms.ModelChoiceField(label=_("Destination province"), queryset=Province.objects.all(), required=False,
                                      widget=FastSelect)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, widget=FastSelect, choices=[
        ("", _("The list's own order")), ("departure", _("Departure, soonest first")),
        ("-departure", _("Departure, latest first")), ("return", _("Return date")), ("number", _("Number")),
        ("-created", _("Newest request first"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Any")), ("active", _("In progress (submitted, approved, issued)")),
                                         ("to_return", _("Return to file (issued, sent back)"))] + list(State.choices)
        self.fields["issuer"].queryset = issuers()
        # Validation still goes through each field's queryset; only the options shown come from a
        # short-lived cache instead of 150-odd model instances made on every list page.
        for name in ("unit", "issuer", "province"):
            self.fields[name].empty_label = _("Any")
            self.fields[name].widget.choices = [("", _("Any"))] + filter_choices(name)


    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("This date is before the “From” date: nothing could match. "
                                        "Swap the two dates."))
        return data


def filter_fields_html(form: "FilterForm | None") -> str:
    """The filter form's fields as HTML (``templates/missions/_filters.html``).  Unfiltered (most visits)
    they are the same for every reader of a language, so they are kept with the options they list."""
    if form is not None and form.is_bound:
        return render_to_string("missions/_filters.html", {"form": form})
    return kept("fields-html", lambda: render_to_string("missions/_filters.html", {"form": FilterForm()}))



class DelegationForm(forms.Form):
    acting = OfficialChoiceField(label=_("Acting leader"), queryset=Official.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, me=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = leaders()
        self.fields["acting"].queryset = qs.exclude(pk=me.pk) if me else qs
