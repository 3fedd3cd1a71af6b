import pytest

from missions.models import OrderLog, State
from tests.factories import make_order


def _post_data(order, **changes):
    leg = order.legs.first()
    data = {
        "issuing_unit": order.issuing_unit_id, "purpose_km": "គោលបំណងថ្មី", "purpose_en": "", "basis": "invitation",
        "invitation_sender": "ក្រសួងមហាផ្ទៃ", "invitation_number": "៤៥", "invitation_date": "2026-12-01",
        "approver": order.approver_id, "travellers": [t.official_id for t in order.travellers.all()],
        "head": "", "departure_date": str(order.departure_date), "return_date": str(order.return_date),
        "leg-aa11-from_province": leg.from_province_id, "leg-aa11-to_province": leg.to_province_id,
        "leg-aa11-travel_date": str(leg.travel_date), "leg-aa11-means": "bus",
        "action": "save",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_requester_changes_a_draft_and_its_itinerary_is_replaced(cast, login):
    order = make_order(cast, state="draft")
    client = login(cast.official)
    assert client.get(f"/missions/{order.pk}/edit/").status_code == 200
    response = client.post(f"/missions/{order.pk}/edit/", _post_data(order))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.purpose_km == "គោលបំណងថ្មី"
    assert order.legs.count() == 1 and order.legs.get().means == "bus"
    assert OrderLog.objects.filter(order=order, action="edited").exists()


@pytest.mark.django_db
def test_bad_input_on_a_draft_changes_nothing(cast, login):
    order = make_order(cast, state="draft")
    client = login(cast.official)
    response = client.post(f"/missions/{order.pk}/edit/", _post_data(order, return_date="2000-01-01"))
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.purpose_km != "គោលបំណងថ្មី" and order.legs.count() == 2


@pytest.mark.django_db
def test_a_submitted_request_cannot_be_changed(cast, login):
    order = make_order(cast, state="submitted")
    client = login(cast.official)
    response = client.post(f"/missions/{order.pk}/edit/", _post_data(order), follow=True)
    order.refresh_from_db()
    assert order.state == State.SUBMITTED and order.purpose_km != "គោលបំណងថ្មី"
    assert list(response.context["messages"])


@pytest.mark.django_db
def test_another_unit_cannot_reach_the_draft(cast, login):
    order = make_order(cast, state="draft")
    assert login(cast.other).get(f"/missions/{order.pk}/edit/").status_code == 404
