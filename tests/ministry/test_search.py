"""Searching officials and orders by name: Khmer as written (no case), Latin in any case, the
civil-service ID exactly, and subscript ដ / ត (្ដ / ្ត, alike on screen) either way."""

import pytest
from django.urls import reverse

from ministry.models import Official
from ministry.selectors import khmer_spellings, official_search_q
from missions import selectors
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def test_khmer_spellings_exchange_subscript_da_and_ta():
    assert khmer_spellings("ចិន្ដា") == ["ចិន្ដា", "ចិន្តា"]
    assert khmer_spellings("ចិន្តា") == ["ចិន្តា", "ចិន្ដា"]
    assert khmer_spellings("Sok") == ["Sok"]


@pytest.mark.parametrize("term", ["ចិន្ដា", "ចិន្តា", "chenda", "CHENDA", "T-4455"])
def test_an_official_is_found_however_the_name_is_typed(cast, login, term):
    Official.objects.filter(pk=cast.colleague.pk).update(name_km="សុខ ចិន្ដា", name_latin="Sok Chenda",
                                                         civil_service_id="t-4455")
    assert list(Official.objects.filter(official_search_q(term))) == [Official.objects.get(pk=cast.colleague.pk)]
    page = login(cast.head).get(reverse("ministry:people"), {"q": term}).content.decode()
    assert "Sok Chenda" in page
    order = make_order(cast, travellers=[cast.colleague])
    found = selectors.filter_orders(selectors.unit_queue(cast.head.user), q=term)
    assert list(found.values_list("id", flat=True)) == [order.pk]


def test_a_part_of_an_id_is_not_a_match(cast):
    Official.objects.filter(pk=cast.colleague.pk).update(civil_service_id="T-4455")
    assert not Official.objects.filter(official_search_q("4455")).exists()
