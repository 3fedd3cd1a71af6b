"""Reads: which orders a user may see, and the queues each role works in."""

from django.db.models import Q
from django.utils import timezone

from ministry.models import Role
from ministry.roles import has_role, official_of

from .permissions import clerk_issuer, in_returns_office
from .models import ApprovalDelegation, MissionOrder, State, Traveller


def orders_visible_q(user) -> Q:
    """Which orders ``user`` may see: their own and their unit's; a head their subtree;
    clerks their issuer's work; GDAF's returns clerks every issued order; leaders what
    they are asked to approve."""
    me = official_of(user)
    if has_role(user, Role.ADMINISTRATOR):
        return Q()
    if me is None:
        return Q(pk__in=[])
    q = Q(requested_by=me) | Q(pk__in=Traveller.objects.filter(official=me).values("order_id")) | Q(requesting_unit=me.unit)
    if has_role(user, Role.UNIT_HEAD):
        q |= Q(requesting_unit__path__startswith=me.unit.path)
    issuer = clerk_issuer(user)
    if issuer is not None:
        q |= Q(issuing_unit=issuer)
    if in_returns_office(user):
        q |= Q(issued_at__isnull=False)
    if has_role(user, Role.APPROVER):
        today = timezone.localdate()
        leaders = ApprovalDelegation.objects.filter(acting=me, starts_on__lte=today, ends_on__gte=today).values("leader")
        q |= Q(approver=me) | Q(approver__in=leaders)
    return q


def orders_for(user):
    return MissionOrder.objects.filter(orders_visible_q(user))


def order_for(user, pk):
    """The order if ``user`` may see it, else None (the view answers 404)."""
    return (
        orders_for(user)
        .select_related("issuing_unit", "requesting_unit", "requested_by", "approver", "approval_leader", "signer")
        .filter(pk=pk)
        .first()
    )


# --- queues -------------------------------------------------------------------------


def _none():
    return MissionOrder.objects.none()


def _delegating_leaders(me):
    today = timezone.localdate()
    return ApprovalDelegation.objects.filter(acting=me, starts_on__lte=today, ends_on__gte=today).values("leader")


def my_orders(user):
    """Orders I asked for or travel on."""
    me = official_of(user)
    if me is None:
        return _none()
    return MissionOrder.objects.filter(mine_q(me))


def mine_q(me) -> Q:
    """Orders ``me`` asked for or travels on.  The traveller ids are read first (one official has few):
    an OR with a sub-select would make PostgreSQL scan every order."""
    travelled = list(Traveller.objects.filter(official=me).values_list("order_id", flat=True))
    return Q(requested_by=me) | Q(pk__in=travelled)


def unit_queue(user):
    """A head of unit's view: every order requested by a unit of their subtree."""
    me = official_of(user)
    if has_role(user, Role.ADMINISTRATOR):
        return MissionOrder.objects.all()
    if me is None or not has_role(user, Role.UNIT_HEAD):
        return _none()
    return MissionOrder.objects.filter(requesting_unit__path__startswith=me.unit.path)


def approval_queue(user):
    """Submitted orders waiting for me, or for a leader I act for today; never my own or one I travel on."""
    me = official_of(user)
    if me is None or not has_role(user, Role.APPROVER):
        return _none()
    return (
        MissionOrder.objects.filter(state=State.SUBMITTED)
        .filter(Q(approver=me) | Q(approver__in=_delegating_leaders(me)))
        .exclude(requested_by=me)
        .exclude(pk__in=Traveller.objects.filter(official=me).values("order_id"))
    )


def issue_queue(user):
    """Approved orders of the issuer (Cabinet or GDAF) the clerk works for."""
    me = official_of(user)
    if me is None or not has_role(user, Role.ISSUING_CLERK) or not me.unit.may_issue_orders:
        return _none()
    return MissionOrder.objects.filter(state=State.APPROVED, issuing_unit=me.unit)


def returns_queue(user):
    """GDAF's returns: returned orders to check, overdue ones and those sent back; overdue first."""
    from django.db.models import F

    me = official_of(user)
    if me is None or not has_role(user, Role.RETURNS_CLERK) or not me.unit.receives_returns:
        return _none()
    return MissionOrder.objects.filter(
        Q(state__in=[State.RETURNED, State.SENT_BACK]) | Q(state=State.ISSUED, overdue_since__isnull=False)
    ).order_by(F("overdue_since").asc(nulls_last=True), "return_date", "id")


def with_list_data(qs):
    """What a list row shows, fetched in a constant number of queries."""
    from django.db.models import Prefetch

    from .models import Leg

    return qs.select_related("issuing_unit", "requesting_unit", "requested_by").prefetch_related(
        Prefetch("travellers", queryset=Traveller.objects.select_related("official")),
        Prefetch("legs", queryset=Leg.objects.select_related("to_province", "from_province")),
    )


def with_row_data(qs):
    """Only what a row of ``templates/missions/list.html`` shows (number, state, travellers,
    destinations, dates, units): the same constant queries as ``with_list_data``, a third of
    the model instances and columns.  Exports use ``with_list_data``."""
    from django.db.models import Prefetch

    from .models import Leg

    unit_fields = ("name_km", "name_en", "abbreviation_km", "abbreviation_en")
    return qs.select_related("issuing_unit", "requesting_unit").only(
        "id", "state", "number", "overdue_since", "departure_date", "return_date", "issuing_unit", "requesting_unit",
        *(f"{fk}__{f}" for fk in ("issuing_unit", "requesting_unit") for f in unit_fields),
    ).prefetch_related(
        Prefetch("travellers", queryset=Traveller.objects.select_related("official").only(
            "id", "order_id", "official_id", "is_head", "sort",
            "official__honorific", "official__name_km", "official__name_latin",
        )),
        Prefetch("legs", queryset=Leg.objects.select_related("to_province").only(
            "id", "order_id", "seq", "to_province", "to_country", "to_city",
            "to_province__kind", "to_province__name_km", "to_province__name_en",
        )),
    )


def filter_orders(qs, *, state=None, unit=None, issuer=None, date_from=None, date_to=None, province=None,
                  overdue=False, q=""):
    """Apply the queue filters; each argument is optional.  ``q`` matches a traveller's Khmer or
    Latin name or civil-service ID, or the order number."""
    from ministry.models import Unit

    from .models import Leg

    if state:
        qs = qs.filter(state=state)
    if unit:
        qs = qs.filter(requesting_unit__path__startswith=unit.path if isinstance(unit, Unit) else unit)
    if issuer:
        qs = qs.filter(issuing_unit=issuer)
    if date_from:
        qs = qs.filter(return_date__gte=date_from)
    if date_to:
        qs = qs.filter(departure_date__lte=date_to)
    if province:
        qs = qs.filter(pk__in=Leg.objects.filter(to_province=province).values("order_id"))
    if overdue:
        qs = qs.filter(overdue_since__isnull=False)
    q = (q or "").strip()
    if q:
        match = Q(
            pk__in=Traveller.objects.filter(
                Q(official__name_km__icontains=q) | Q(official__name_latin__icontains=q)
                | Q(official__civil_service_id__iexact=q)
            ).values("order_id")
        )
        digits = _ascii_digits(q)
        if digits.isdigit():
            match |= Q(number=int(digits))
        qs = qs.filter(match)
    return qs


def _ascii_digits(text: str) -> str:
    from khmer.digits import from_khmer_digits

    text = from_khmer_digits(text).removeprefix("No.").removeprefix("លេខ").lstrip("#")
    return "".join(ch for ch in text if not ch.isspace())
