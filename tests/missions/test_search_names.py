"""A name many share is searched in the travellers' names the order keeps (missions/search_names.py): they
follow the travellers and their names however those change, and find what the travellers table finds."""

import pytest
from django.db.models import Q

from ministry.models import Official
from ministry.selectors import official_search_q
from missions import selectors, services
from missions.models import MissionOrder, Traveller
from tests.factories import make_official, make_order, order_input

pytestmark = pytest.mark.django_db


def _names(order):
    return tuple(MissionOrder.objects.filter(pk=order.pk).values_list("traveller_names_km", "traveller_names_latin")[0])


def test_an_order_keeps_its_travellers_names_in_their_order(cast):
    order = make_order(cast)
    assert _names(order) == (f"{cast.official.name_km}\n{cast.colleague.name_km}",
                             f"{cast.official.name_latin}\n{cast.colleague.name_latin}")
    assert (order.traveller_names_km, order.traveller_names_latin) == _names(order)  # the instance too


def test_the_names_follow_a_draft_edit_and_a_rename(cast):
    order = make_order(cast)
    services.order_update_draft(order=order, by=cast.official.user, data=order_input(cast, travellers=[cast.colleague]))
    assert _names(order) == (cast.colleague.name_km, cast.colleague.name_latin)
    cast.colleague.name_latin = "Chan Dara"
    cast.colleague.save()
    assert _names(order) == (cast.colleague.name_km, "Chan Dara")
    Traveller.objects.filter(order=order).delete()
    assert _names(order) == ("", "")


def test_a_save_of_the_order_after_its_travellers_changed_keeps_their_names(cast):
    order = make_order(cast)
    order.reason = "x"
    order.save()
    assert _names(order)[1] == f"{cast.official.name_latin}\n{cast.colleague.name_latin}"


def test_a_name_many_share_finds_what_the_travellers_table_finds(cast):
    """More than FEW_PEOPLE people named alike: the kept names answer, in Khmer and Latin, any letter case."""
    extra = [make_official(cast.unit_a, login=False) for _ in range(selectors.FEW_PEOPLE)]
    Official.objects.filter(pk__in=[o.pk for o in extra]).update(name_latin="Keo Vanna", name_km="កែវ វណ្ណា")
    Official.objects.filter(pk=cast.colleague.pk).update(name_latin="Keo Sopheap", name_km="កែវ សុភាព")
    cast.colleague.refresh_from_db()
    cast.colleague.save()  # a rename through the model (the update above sends no signal)
    shared = make_order(cast)
    alone = make_order(cast, travellers=[cast.official])
    for term in ("Keo", "keo", "កែវ"):
        people = Official.objects.filter(official_search_q(term)).values("id")
        assert people.count() > selectors.FEW_PEOPLE
        expected = set(MissionOrder.objects.filter(Q(pk__in=Traveller.objects.filter(official__in=people)
                                                       .values("order_id"))).values_list("pk", flat=True))
        found = set(selectors.filter_orders(MissionOrder.objects.all(), q=term).values_list("pk", flat=True))
        assert found == expected == {shared.pk}
    assert alone.pk not in set(selectors.filter_orders(MissionOrder.objects.all(), q="Keo").values_list("pk", flat=True))


def test_a_civil_service_id_still_finds_its_person_when_names_are_many(cast, monkeypatch):
    monkeypatch.setattr(selectors, "FEW_PEOPLE", 0)
    order = make_order(cast)
    found = selectors.filter_orders(MissionOrder.objects.all(), q=cast.colleague.civil_service_id.lower())
    assert set(found.values_list("pk", flat=True)) == {order.pk}
