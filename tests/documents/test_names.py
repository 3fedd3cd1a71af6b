"""Names in the printed order: never cut by a line break, spaced where Khmer meets Latin, and the
place the mission starts from is not a destination."""

import re
from datetime import timedelta

import pytest

from khmer.wordbreak import ZWSP
from missions.documents.render import document_html, order_sheet
from tests.factories import make_order, order_input


def _order_with_legs(cast, legs):
    from missions import services as s

    data = order_input(cast)
    data.legs = legs
    data.return_date = data.departure_date + timedelta(days=len(legs))
    order = s.order_create(by=cast.official.user, data=data)
    order = s.order_submit(order=order, by=cast.official.user)
    order = s.order_approve(order=order, by=order.approver.user)
    return s.order_issue(order=order, by=cast.gdaf_clerk.user)


def _leg(day, **kw):
    from missions.models import Means
    from missions.services import LegInput

    return LegInput(travel_date=day, means=Means.PLANE, **kw)


@pytest.mark.django_db
def test_home_city_is_not_a_destination(cast):
    from ministry.models import Province

    pp, kampot = Province.objects.get(code="KH-12"), Province.objects.get(code="KH-7")
    start = order_input(cast).departure_date
    order = _order_with_legs(cast, [_leg(start, from_province=pp, to_province=kampot),
                                    _leg(start + timedelta(days=1), from_province=kampot, to_province=pp)])
    assert order_sheet(order, "km").destinations == ["ខេត្តកំពត"]
    assert order_sheet(order, "en").destinations == ["Kampot"]


@pytest.mark.django_db
def test_a_latin_place_gets_its_space_and_names_are_not_cut(cast):
    from ministry.models import Official, Province

    pp = Province.objects.get(code="KH-12")
    Official.objects.filter(pk=cast.official.pk).update(name_km="ស្រីសុវណ្ណបុប្ផាចន្ទ្រា រស្មីវិចិត្រ")
    start = order_input(cast).departure_date
    order = _order_with_legs(cast, [_leg(start, from_province=pp, to_country="KR", to_city="Seoul"),
                                    _leg(start + timedelta(days=2), from_country="US", from_city="កាលីហ្វ័រញ៉ា",
                                         to_province=pp)])
    html = document_html(order, "km")
    # Khmer meets Latin: a space; Khmer meets Khmer: none
    plain = re.sub(r"</?span[^>]*>", "", html).replace(ZWSP, "")
    assert "មកដល់ Seoul ប្រទេស" in plain and "មកដល់Seoul" not in plain
    # a place name breaks only at its own space: no break opportunity inside its words
    assert "ចេញដំណើរពីកាលីហ្វ័រញ៉ា ប្រទេសសហរដ្ឋអាមេរិក" in html.replace(ZWSP, "")
    assert "កាលីហ្វ័រញ៉ា ប្រទេសសហរដ្ឋអាមេរិក" in html
    # a personal name is one unbreakable span without a single break opportunity inside
    assert '<span class="nb pn">ស្រីសុវណ្ណបុប្ផាចន្ទ្រា រស្មីវិចិត្រ</span>' in html
    # a unit name breaks only between whole words (never អគ្គនាយក|ដ្ឋាន)
    assert f"អគ្គនាយក{ZWSP}ដ្ឋាន" not in html
    assert f"អគ្គនាយកដ្ឋាន{ZWSP}រដ្ឋបាល" in html
    # the order number and the dates: their spaces are no-break spaces, no break opportunity inside
    number = order_sheet(order, "km").number
    assert number.replace(" ", "\u00a0") in html and ZWSP not in number
    issued = order_sheet(order, "km").issue_date
    assert " " in issued and issued.replace(" ", "\u00a0") in html
    # without the protection, the word breaker cuts both (the check can fail)
    from khmer.wordbreak import insert_breaks

    assert ZWSP in insert_breaks("ស្រីសុវណ្ណបុប្ផាចន្ទ្រា") and f"អគ្គនាយក{ZWSP}ដ្ឋាន" in insert_breaks("អគ្គនាយកដ្ឋាន")


@pytest.mark.django_db
def test_english_pdf_uses_english_forms(cast):
    order = make_order(cast, state="issued")
    html = document_html(order, "en")
    for t in order.travellers.select_related("official"):
        assert t.official.name_latin in html and t.official.name_km not in html
        assert t.unit_en in html
    assert "Departed from Phnom Penh" in html
