"""Reads: which orders a user may see, and the queues each role works in."""

from datetime import date

from django.db.models import F, IntegerField, Prefetch, Q, Value
from django.utils import timezone

from common.widgets import ISO_DAY, day_to_iso
from khmer.digits import from_khmer_digits
from ministry.models import Official, Province, Role, Unit
from ministry.offices import issuers_above, nearest_issuer_key
from ministry.roles import has_role, official_of
from ministry.selectors import khmer_spellings, name_search_q, official_search_q

from .models import IN_RETURNS_QUEUE, ApprovalDelegation, Leg, MissionOrder, State, Traveller
from .permissions import clerk_issuer, in_returns_office

# What an issuing office sees of its orders (least privilege): from approval on, never drafts or requests
# still waiting for a leader.
ISSUER_SEES = Q(state__in=[State.APPROVED, State.ISSUED, State.REVOKED, State.RETURNED, State.SENT_BACK,
                           State.ACCEPTED]) | Q(state=State.CANCELLED, approved_by__isnull=False)


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
        q |= Q(issuing_unit=issuer) & ISSUER_SEES
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
    return MissionOrder.objects.filter(requesting_unit__in=Unit.subtree_ids(me.unit.path))


def approval_queue(user):
    """Submitted orders waiting for me, or for a leader I act for today; never my own or one I travel on."""
    me = official_of(user)
    if me is None or not has_role(user, Role.APPROVER):
        return _none()
    # The leaders and my own journeys are read first (a few ids each): as sub-selects in an OR,
    # PostgreSQL would read every submitted order instead of the (approver, state) index.
    approvers = [me.pk, *_delegating_leaders(me).values_list("leader", flat=True)]
    travelled = list(Traveller.objects.filter(official=me).values_list("order_id", flat=True))
    return (
        MissionOrder.objects.filter(state=State.SUBMITTED, approver__in=approvers)
        .exclude(requested_by=me)
        .exclude(pk__in=travelled)
    )


def _involved_ids(me) -> list[int]:
    return list(Traveller.objects.filter(official=me).values_list("order_id", flat=True))


def issue_queue(user):
    """Approved orders of the issuer (Cabinet or GDAF) the clerk works for (``permissions.clerk_issuer``);
    never one the clerk asked for or travels on (``permissions.may_issue``)."""
    me = official_of(user)
    issuer = clerk_issuer(user)
    if issuer is None:
        return _none()
    return (MissionOrder.objects.filter(state=State.APPROVED, issuing_unit=issuer)
            .exclude(requested_by=me).exclude(pk__in=_involved_ids(me)))


def returns_queue(user):
    """GDAF's returns: returned orders to check, overdue ones and those sent back; overdue first.  A clerk
    never finds there a return they filed, a mission they asked for or travelled on
    (``permissions.may_check_return``)."""
    me = official_of(user)
    if not in_returns_office(user):
        return _none()
    return (MissionOrder.objects.filter(IN_RETURNS_QUEUE)
            .exclude(requested_by=me).exclude(pk__in=_involved_ids(me)).exclude(returned_by=user)
            .order_by(F("overdue_since").asc(nulls_last=True), "return_date", "id"))


def with_list_data(qs):
    """What a list row shows, fetched in a constant number of queries."""
    return qs.select_related("issuing_unit", "requesting_unit", "requested_by").prefetch_related(
        Prefetch("travellers", queryset=Traveller.objects.select_related("official")),
        Prefetch("legs", queryset=Leg.objects.select_related("to_province", "from_province")),
    )


SORTS = {
    "departure": ("departure_date", "id"),
    "-departure": ("-departure_date", "-id"),
    "return": ("return_date", "id"),
    "number": ("number", "id"),
    "-created": ("-created", "-id"),
}


# States the lists filter by together (the dashboard's cards open them): value → the states it means.
STATE_GROUPS = {
    "active": (State.SUBMITTED, State.APPROVED, State.ISSUED),
    "to_return": (State.ISSUED, State.SENT_BACK),
}


def filter_orders(qs, *, state=None, unit=None, issuer=None, date_from=None, date_to=None, province=None,
                  overdue=False, q="", sort=""):
    """Apply the queue filters; each argument is optional.  ``q`` matches a traveller's Khmer or
    Latin name or civil-service ID, the order number, a destination province (Khmer or English), words
    of the purpose (all of them), or a day the mission covers.  ``sort`` is a key of ``SORTS``."""
    if state in STATE_GROUPS:
        qs = qs.filter(state__in=STATE_GROUPS[state])
    elif state:
        qs = qs.filter(state=state)
    if unit:
        qs = qs.filter(requesting_unit__in=Unit.subtree_ids(unit.path if isinstance(unit, Unit) else unit))
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
        people = Official.objects.filter(official_search_q(q)).order_by().values("id")
        few = list(people[:FEW_PEOPLE + 1])
        if len(few) <= FEW_PEOPLE:
            # One person (or a few): their orders' keys first.  As a sub-select in an OR, PostgreSQL takes it to
            # match half the orders and walks every order of the list in its order to find a page of them.
            match = Q(pk__in=list(Traveller.objects.filter(official__in=[p["id"] for p in few])
                                  .values_list("order_id", flat=True)))
        else:
            # A name many share ("Sok": 873 people, 15 000 orders): the travellers' names the order keeps
            # (missions/search_names.py), trigram-indexed with the list's own filters, instead of testing every
            # order of the list against the set of their orders.  A civil-service ID is one person's: keys first.
            match = name_search_q(q, km="traveller_names_km", latin="traveller_names_latin") | Q(pk__in=list(
                Traveller.objects.filter(official__civil_service_id__iexact=q).values_list("order_id", flat=True)))
        digits = _ascii_digits(q)
        if digits.isdigit():
            match |= Q(number=int(digits))
        match |= _place_or_purpose_or_day_q(q)
        qs = qs.filter(match)
    if sort in SORTS:
        qs = qs.order_by(*SORTS[sort])
    return qs


# Up to this many people matching a search, their orders are read first (at most a few hundred keys).
FEW_PEOPLE = 20

PLACE_PREFIXES = ("ខេត្ត", "រាជធានី", "province", "capital")


def _place_or_purpose_or_day_q(q: str) -> Q:
    """Orders going to a province named by ``q``, whose purpose has every word of ``q``, or under way
    on the day ``q`` writes (10/01/2027, ១០/០១/២០២៧ or 2027-01-10)."""
    match = Q(pk__in=[])
    place = q.strip()
    for prefix in PLACE_PREFIXES:
        if place.lower().startswith(prefix):
            place = place[len(prefix):].strip()
    if place:
        names = Q(name_en__icontains=place)
        for spelling in khmer_spellings(place):
            names |= Q(name_km__contains=spelling)
        provinces = list(Province.objects.filter(names).values_list("id", flat=True))
        if provinces:
            match |= Q(pk__in=Leg.objects.filter(to_province__in=provinces).values("order_id"))
    words = q.split()
    if words:
        every = Q()
        for word in words:
            one = Q(purpose_en__icontains=word)
            for spelling in khmer_spellings(word):
                one |= Q(purpose_km__contains=spelling)
            every &= one
        match |= every
    iso = day_to_iso(q)
    if ISO_DAY.match(iso or ""):
        try:
            day = date.fromisoformat(iso.strip())
        except ValueError:
            day = None
        if day is not None:
            match |= Q(departure_date__lte=day, return_date__gte=day)
    return match


def _ascii_digits(text: str) -> str:
    text = from_khmer_digits(text).removeprefix("No.").removeprefix("លេខ").lstrip("#")
    return "".join(ch for ch in text if not ch.isspace())


def work_q(user) -> Q:
    """The orders a member of staff works on in the admin: an administrator all of them; otherwise the orders
    they approve (or approve for a leader today), their issuer's as a clerk, the issued ones as a returns clerk,
    their subtree's as a head, and their own.  A subset of ``orders_visible_q``, written with ids read first so
    that PostgreSQL uses an index for each part instead of reading every order."""
    me = official_of(user)
    if has_role(user, Role.ADMINISTRATOR):
        return Q()
    if me is None:
        return Q(pk__in=[])
    approver, head = has_role(user, Role.APPROVER), has_role(user, Role.UNIT_HEAD)
    clerk = has_role(user, Role.ISSUING_CLERK)
    known = clerk and hasattr(user, "_portal_issuer")  # clerk_issuer has read it in this request
    travelled, leaders, units, issuers = _work_keys(me, leaders=approver, units=head, issuers=clerk and not known)
    q = Q(requested_by=me) | Q(pk__in=travelled)  # mine_q, with its keys read below
    if approver:
        q |= Q(approver__in=[me.pk, *leaders])
    if clerk:  # clerk_issuer's unit, its key read with the others
        issuer = getattr(clerk_issuer(user), "pk", None) if known else nearest_issuer_key(me, issuers)
        if issuer is not None:
            q |= Q(issuing_unit=issuer) & ISSUER_SEES  # from approval on, as orders_visible_q: never a draft or a request
    if in_returns_office(user):
        q |= Q(issued_at__isnull=False)
    if head:
        q |= Q(requesting_unit__in=units)
    return q


_TRAVELLED, _LEADER, _UNIT, _ISSUER = 0, 1, 2, 3


def _work_keys(me, *, leaders: bool, units: bool, issuers: bool = False
               ) -> tuple[list[int], list[int], list[int], list[int]]:
    """The keys ``work_q`` is written with, read in one round trip: the orders ``me`` travels on (as
    ``mine_q``), the leaders ``me`` approves for today (as ``_delegating_leaders``), the units of ``me``'s
    subtree (as ``Unit.subtree_ids``) and the issuing units of ``me``'s lineage (``ministry.offices.issuers_above``:
    the nearest is ``me``'s issuer), each asked for only where the role needs it."""
    def tagged(qs, column, tag):
        return qs.order_by().annotate(part=Value(tag, output_field=IntegerField())).values_list(column, "part")

    parts = [tagged(Traveller.objects.filter(official=me), "order_id", _TRAVELLED)]
    if leaders:
        parts.append(tagged(_delegating_leaders(me), "leader", _LEADER))
    if units:
        parts.append(tagged(me.unit.subtree(), "id", _UNIT))
    if issuers:
        parts.append(tagged(issuers_above(me), "id", _ISSUER))
    keys: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])
    for key, part in parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]:
        keys[part].append(key)
    return keys
