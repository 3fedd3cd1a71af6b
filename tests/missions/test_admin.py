"""The admin: state read-only, approve / reject through the services, querysets limited to what a user may see."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from missions.models import MissionOrder, OrderLog, State
from missions import services as s
from tests.factories import make_order, order_input

pytestmark = pytest.mark.django_db


def _staff(official):
    official.user.is_staff = True
    official.user.save()
    return official


def _change_url(order):
    return reverse("admin:missions_missionorder_change", args=[order.pk])


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_every_missions_model_is_registered():
    from django.apps import apps
    from django.contrib import admin

    for model in apps.get_app_config("missions").get_models():
        assert admin.site.is_registered(model), model


def test_state_is_read_only_and_leader_sees_the_approve_button(cast, login):
    order = make_order(cast, state="submitted")
    client = login(_staff(cast.leader))
    page = client.get(_change_url(order))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="state"' not in html
    assert 'value="approve"' in html and 'value="reject"' in html


def test_admin_approve_by_the_leader_goes_through_the_service(cast, login):
    order = make_order(cast, state="submitted")
    client = login(_staff(cast.leader))
    response = client.post(_change_url(order), {"_fsm_transition_to": "approve", **_inline_management()})
    assert response.status_code == 302, response.content[:2000]
    order.refresh_from_db()
    assert order.state == State.APPROVED and order.approved_by == cast.leader
    assert OrderLog.objects.filter(order=order, action="approve", actor=cast.leader.user).exists()
    assert "The request was approved." in _messages(response)


def test_admin_approve_by_a_non_approver_is_refused(cast, login):
    order = make_order(cast, state="submitted")
    client = login(_staff(cast.head))  # sees the unit's orders, is an approver, but not this one's
    page = client.get(_change_url(order))
    assert page.status_code == 200 and 'value="approve"' not in page.content.decode()
    response = client.post(_change_url(order), {"_fsm_transition_to": "approve", **_inline_management()})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == State.SUBMITTED
    assert "You are not allowed to do that with this order." in _messages(response)


def test_admin_approve_from_the_wrong_state_is_refused(cast, login):
    order = make_order(cast, state="approved")
    client = login(_staff(cast.leader))
    response = client.post(_change_url(order), {"_fsm_transition_to": "approve", **_inline_management()})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == State.APPROVED
    assert any("not possible now" in m for m in _messages(response))


def test_admin_reject_asks_for_a_reason(cast, login):
    order = make_order(cast, state="submitted")
    client = login(_staff(cast.leader))
    response = client.post(_change_url(order), {"_fsm_transition_to": "reject", **_inline_management()})
    url = reverse("admin:missions_missionorder_transition", args=[order.pk, "reject"])
    assert response.status_code == 302 and response["Location"] == url
    form = client.get(url)
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 200
    order.refresh_from_db()
    assert order.state == State.SUBMITTED
    done = client.post(url, {"reason": "មិនស្របតាមផែនការ"})
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.state == State.REJECTED and order.reason == "មិនស្របតាមផែនការ"


def test_admin_reject_by_a_non_approver_is_refused(cast, login):
    order = make_order(cast, state="submitted")
    client = login(_staff(cast.gdaf_clerk))
    url = reverse("admin:missions_missionorder_transition", args=[order.pk, "reject"])
    response = client.post(url, {"reason": "no"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == State.SUBMITTED


def test_admin_queryset_is_limited_to_visible_orders(cast, login):
    mine = make_order(cast, state="submitted")
    theirs = s.order_create(by=cast.other.user, data=order_input(cast, travellers=[cast.other], issuer=cast.cabinet,
                                                                  approver=cast.leader2))
    client = login(_staff(cast.leader))
    listing = client.get(reverse("admin:missions_missionorder_changelist"))
    assert listing.status_code == 200
    ids = {o.pk for o in listing.context["cl"].result_list}
    assert mine.pk in ids and theirs.pk not in ids
    assert client.get(_change_url(theirs)).status_code in (302, 404)


def test_admin_bulk_approve_reports_refusals(cast, login):
    a = make_order(cast, state="submitted")
    b = make_order(cast, state="approved", start=a.return_date + __import__("datetime").timedelta(days=3))
    client = login(_staff(cast.leader))
    response = client.post(reverse("admin:missions_missionorder_changelist"),
                           {"action": "approve_selected", "_selected_action": [a.pk, b.pk]})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.state == State.APPROVED
    assert any("not possible now" in m for m in _messages(response))


def test_admin_never_adds_or_deletes_orders(cast, login):
    client = login(_staff(cast.leader))
    assert client.get(reverse("admin:missions_missionorder_add")).status_code == 403
    order = make_order(cast, state="submitted")
    assert client.post(reverse("admin:missions_missionorder_delete", args=[order.pk]), {"post": "yes"}).status_code == 403
    assert MissionOrder.objects.filter(pk=order.pk).exists()


def _inline_management():
    data = {}
    for prefix in ("travellers", "legs", "log"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    return data


def test_the_decision_page_lists_the_orders_timeline_by_its_labels(cast, login):
    from missions.views_order import LOG_LABELS

    order = make_order(cast, state="submitted")
    client = login(_staff(cast.leader))
    for lang in ("km", "en"):
        html = client.get(_change_url(order), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        timeline = html[html.index("order-summary"):html.index("Open the order" if lang == "en" else "submit-row")]
        from django.utils import translation

        with translation.override(lang):
            labels = [str(LOG_LABELS[e.action]) for e in OrderLog.objects.filter(order=order).order_by("created", "id")]
            submitted = str(State.SUBMITTED.label)
        assert len(labels) >= 2
        positions = [timeline.index(label) for label in labels]
        assert positions == sorted(positions)  # oldest first
        assert submitted in timeline
        assert 'name="log-TOTAL_FORMS"' not in html  # a table, not a formset
