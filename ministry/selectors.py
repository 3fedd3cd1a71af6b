"""Reads on the organisation."""

from django.db.models import Q

from .models import Official, Role, Unit
from .roles import has_role, official_of


def people_visible_to(user):
    """Officials a user may list: everyone for an administrator; a head their unit's subtree;
    others their own unit."""
    qs = Official.objects.filter(active=True)
    if has_role(user, Role.ADMINISTRATOR):
        return qs
    me = official_of(user)
    if me is None:
        return qs.none()
    if has_role(user, Role.UNIT_HEAD):
        return qs.filter(unit__in=Unit.subtree_ids(me.unit.path))
    return qs.filter(unit=me.unit)


def official_search_q(term: str) -> Q:
    """Officials whose Khmer or Latin name contains ``term``, or whose civil-service ID is ``term``.
    Khmer has no letter case: its names are matched as written.  On PostgreSQL each condition has a
    trigram or expression index (ministry migration 0003), so a search does not read every official."""
    term = term.strip()
    return name_search_q(term) | Q(civil_service_id__iexact=term)


def name_search_q(term: str, km: str = "name_km", latin: str = "name_latin") -> Q:
    """The name part of ``official_search_q``: the Khmer name ``km`` contains ``term`` as written (either
    subscript spelling), the Latin name ``latin`` contains it in any letter case.  Also applied to the
    travellers' names an order keeps for its search (``MissionOrder.traveller_names_km`` / ``_latin``)."""
    khmer = Q()
    for spelling in khmer_spellings(term):
        khmer |= Q(**{f"{km}__contains": spelling})
    return khmer | Q(**{f"{latin}__icontains": term})


COENG_DA, COENG_TA = "\u17d2\u178a", "\u17d2\u178f"  # subscript ដ and ត: the same glyph in most Khmer fonts


def khmer_spellings(text: str) -> list[str]:
    """``text`` as typed, and with subscript ដ and ត exchanged: the two look alike and both are written
    (the Ministry's instruction writes ផ្តល់ with subscript ត, dictionaries often with subscript ដ), so a
    search finds either."""
    return list(dict.fromkeys([text, text.replace(COENG_DA, COENG_TA), text.replace(COENG_TA, COENG_DA)]))


def leaders():
    return (
        Official.objects.filter(active=True, position__in_leadership_group=True)
        .select_related("position", "unit")
        .order_by("position__rank", "name_latin")
    )


def issuers():
    return Unit.objects.filter(may_issue_orders=True, active=True)
