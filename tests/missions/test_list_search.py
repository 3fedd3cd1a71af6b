"""Lists show what a decision needs and find orders the way people ask for them: by traveller, number,
province in either language, purpose words and dates; they sort; an impossible date range says so."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from khmer.digits import to_khmer_digits
from missions import selectors
from missions.models import MissionOrder
from tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(cast):
    """A one-leg mission to Siem Reap about an audit, and a later two-leg one to Siem Reap and Battambang
    about a workshop."""
    start = date.today() + timedelta(days=20)
    audit = make_order(cast, start=start, legs=1, days=2)
    MissionOrder.objects.filter(pk=audit.pk).update(purpose_km="ត្រួតពិនិត្យបញ្ជីបុគ្គលិក", purpose_en="Audit the staff lists")
    workshop = make_order(cast, start=start + timedelta(days=10), legs=2, days=3)
    return audit, workshop


def _found(cast, q, **filters):
    qs = selectors.filter_orders(selectors.my_orders(cast.official.user), q=q, **filters)
    return set(qs.values_list("pk", flat=True))


def test_search_finds_by_province_in_khmer_or_english(cast, two):
    audit, workshop = two
    assert _found(cast, "Battambang") == {workshop.pk}
    assert _found(cast, "battambang") == {workshop.pk}
    assert _found(cast, "បាត់ដំបង") == {workshop.pk}
    assert _found(cast, "ខេត្តបាត់ដំបង") == {workshop.pk}
    assert _found(cast, "Siem Reap") == {audit.pk, workshop.pk}


def test_search_finds_by_purpose_words_and_by_a_day_the_mission_covers(cast, two):
    audit, workshop = two
    assert _found(cast, "staff audit") == {audit.pk}
    assert _found(cast, "workshop reform") == {workshop.pk}
    assert _found(cast, "បុគ្គលិក") == {audit.pk}
    day = audit.departure_date + timedelta(days=1)
    assert _found(cast, day.strftime("%d/%m/%Y")) == {audit.pk}
    assert _found(cast, to_khmer_digits(day.strftime("%d/%m/%Y"))) == {audit.pk}
    assert _found(cast, workshop.departure_date.isoformat()) == {workshop.pk}


def test_search_still_finds_by_traveller_and_nothing_by_a_word_no_order_has(cast, two):
    assert _found(cast, cast.colleague.name_latin) == {o.pk for o in two}
    assert _found(cast, "submarine") == set()


def test_sorting_by_departure_both_ways(cast, two):
    audit, workshop = two
    qs = selectors.my_orders(cast.official.user)
    assert list(selectors.filter_orders(qs, sort="departure").values_list("pk", flat=True)) == [audit.pk, workshop.pk]
    assert list(selectors.filter_orders(qs, sort="-departure").values_list("pk", flat=True)) == [workshop.pk, audit.pk]


def test_the_list_shows_purpose_and_basis_and_sorts_from_its_form(cast, login, two):
    audit, workshop = two
    client = login(cast.official)
    html = client.get(reverse("missions:mine"), {"sort": "-departure"}).content.decode()
    assert "Audit the staff lists" in html and "Invitation letter" in html
    assert 'name="sort"' in html
    assert html.index(f'href="/missions/{workshop.pk}/"') < html.index(f'href="/missions/{audit.pk}/"')


def test_an_inverted_date_range_gives_a_message(cast, login, two):
    client = login(cast.official)
    html = client.get(reverse("missions:mine"), {"date_from": "20/01/2027", "date_to": "10/01/2027"}).content.decode()
    assert "This date is before the “From” date" in html
    assert "The filter could not be applied" in html


def test_approving_from_the_list_comes_after_purpose_and_basis(cast, login):
    order = make_order(cast, state="submitted")
    html = login(cast.leader).get(reverse("missions:approvals")).content.decode()
    row = re.search(rf'<tr>\s*<td[^>]*><a href="/missions/{order.pk}/">.*?</tr>', html, flags=re.S).group(0)
    assert row.index("Attend the workshop") < row.index("Invitation letter") < row.index(">Approve</button>")
    assert f'href="/missions/{order.pk}/confirm/reject/"' in row
