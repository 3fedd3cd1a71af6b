"""Limits everywhere: long texts, implausible dates, too many legs, line breaks in one-line fields."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from common import limits
from missions import services as s
from missions.models import MissionOrder
from tests.factories import make_order, order_input

pytestmark = pytest.mark.django_db


def test_one_line_removes_every_kind_of_line_break_and_control_character():
    assert limits.one_line("Meeting\r\nBcc: all@example.org") == "Meeting Bcc: all@example.org"
    assert limits.one_line("a\u2028b\x85c\td\x00e\x1bf") == "a b c def"
    assert limits.one_line(None) == ""


def test_messages_give_the_limit_in_the_readers_digits():
    with translation.override("en"):
        assert "1,000" in limits.too_long(1000, 500000) and "500,000" in limits.too_long(1000, 500000)
    with translation.override("km"):
        assert "១,០០០" in limits.too_long(1000, 500000)


def test_departure_window_uses_the_given_day():
    today = date(2026, 12, 1)
    for ok in (today, today + timedelta(days=366), today - timedelta(days=366)):
        errors = {}
        limits.check_departure(errors, "d", ok, today)
        assert not errors, ok
    for bad in (date(1, 1, 1), date(9999, 12, 30), today + timedelta(days=367), today - timedelta(days=367)):
        errors = {}
        limits.check_departure(errors, "d", bad, today)
        assert "d" in errors, bad


@pytest.mark.parametrize("field, value, limit", [
    ("purpose_km", "ក" * 500_000, limits.PURPOSE),
    ("purpose_en", "x" * (limits.PURPOSE + 1), limits.PURPOSE),
    ("approval_note", "x" * (limits.APPROVAL_NOTE + 1), limits.APPROVAL_NOTE),
    ("invitation_sender", "x" * (limits.INVITATION_SENDER + 1), limits.INVITATION_SENDER),
])
def test_the_service_refuses_long_texts_with_the_limit_and_writes_nothing(cast, field, value, limit):
    data = replace(order_input(cast), **{field: value})
    with pytest.raises(ValidationError) as exc:
        s.order_create(by=cast.official.user, data=data)
    assert f"{limit:,}" in " ".join(exc.value.message_dict[field])
    assert not MissionOrder.objects.exists()


@pytest.mark.parametrize("start", [date(1, 1, 1) + timedelta(days=30), date(9999, 12, 1)])
def test_the_service_refuses_implausible_departures(cast, start):
    data = order_input(cast, start=start, days=3)
    with pytest.raises(ValidationError) as exc:
        s.order_create(by=cast.official.user, data=data)
    assert "departure_date" in exc.value.message_dict
    assert not MissionOrder.objects.exists()


def test_a_mission_longer_than_a_year_and_an_ancient_letter_are_refused(cast):
    data = order_input(cast, days=400)
    data.legs[-1].travel_date = data.return_date
    data = replace(data, invitation_date=date.today() - timedelta(days=4000))
    with pytest.raises(ValidationError) as exc:
        s.order_create(by=cast.official.user, data=data)
    assert {"return_date", "invitation_date"} <= set(exc.value.message_dict)


def test_more_than_thirty_legs_are_refused_not_cut(cast):
    data = order_input(cast, legs=1)
    data = replace(data, legs=[replace(data.legs[0]) for _ in range(60)])
    with pytest.raises(ValidationError) as exc:
        s.order_create(by=cast.official.user, data=data)
    message = " ".join(exc.value.message_dict["legs"])
    assert "30" in message and "60" in message


def test_the_request_page_says_so_for_sixty_legs(cast, login):
    from ministry.models import Province

    client = login(cast.official)
    start = date.today() + timedelta(days=20)
    data = {
        "issuing_unit": cast.gdaf.pk, "purpose_km": "ចូលរួមសិក្ខាសាលា", "basis": "invitation",
        "invitation_sender": "សាលាខេត្ត", "invitation_number": "១២", "invitation_date": start.isoformat(),
        "departure_date": start.isoformat(), "return_date": (start + timedelta(days=2)).isoformat(),
        "approver": cast.leader.pk, "travellers": [cast.official.pk], "head": cast.official.pk, "action": "draft",
    }
    pp, sr = Province.objects.get(code="KH-12").pk, Province.objects.get(code="KH-17").pk
    for i in range(60):
        data.update({f"leg-{i:x}-from_province": pp, f"leg-{i:x}-to_province": sr,
                     f"leg-{i:x}-travel_date": start.isoformat(), f"leg-{i:x}-means": "bus"})
    response = client.post(reverse("missions:new"), data)
    assert response.status_code in (200, 400)
    assert "at most 30 legs (this one has 60)" in response.content.decode()
    assert not MissionOrder.objects.exists()


def test_reasons_and_reports_have_limits(cast):
    order = make_order(cast, state="submitted")
    with pytest.raises(s.TransitionRefused) as exc:
        s.order_reject(order=order, by=order.approver.user, reason="x" * (limits.REASON + 1))
    assert f"{limits.REASON:,}" in exc.value.message
    order.refresh_from_db()
    assert order.state == "submitted"
    issued = make_order(cast, state="issued", start=date.today() + timedelta(days=40))
    with pytest.raises(ValidationError) as exc:
        s.report_save(order=issued, by=cast.official.user, text="ក" * (limits.REPORT + 1))
    assert "report_text" in exc.value.message_dict


def test_a_post_title_with_line_breaks_is_stored_on_one_line_and_mails_send(cast, settings, mailoutbox=None):
    from groups import services as g
    from groups.models import Post

    group = g.group_create(kind="unit", unit=cast.unit_a, name_km="ក្រុម A", moderators=[cast.head])
    post = g.post_create(by=cast.official.user, group=group, category="announcement",
                         title="Meeting\r\nBcc: everyone@example.org", body_km="អត្ថបទ")
    assert Post.objects.get(pk=post.pk).title == "Meeting Bcc: everyone@example.org"
    with pytest.raises(ValidationError) as exc:
        g.post_create(by=cast.official.user, group=group, category="announcement", title="t",
                      body_km="ក" * (limits.POST_BODY + 1), agenda="x" * (limits.AGENDA + 1))
    assert {"body_km", "agenda"} <= set(exc.value.message_dict)


def test_the_outbox_never_stores_a_subject_with_a_line_break(cast):
    from groups import outbox
    from groups.models import Channel, ChatGroup

    group = ChatGroup.objects.create(kind="unit", unit=cast.unit_a, name_km="ក", name_en="A")
    channel = Channel.objects.create(group=group, kind="email", emails="list@example.org")
    notice = outbox.to_channel(channel, key="k1", kind="post.published", text="t", subject="a\r\nb\nc")
    assert notice.subject == "a b c"


def test_models_and_limits_agree():
    """The service's limit is the column's: a text the service accepts always fits the database."""
    from groups.models import Post
    from missions.models import ApprovalDelegation, Leg, LegStamp

    pairs = [
        (MissionOrder, "purpose_km", limits.PURPOSE), (MissionOrder, "purpose_en", limits.PURPOSE),
        (MissionOrder, "approval_note", limits.APPROVAL_NOTE), (MissionOrder, "reason", limits.REASON),
        (MissionOrder, "report_text", limits.REPORT), (MissionOrder, "invitation_sender", limits.INVITATION_SENDER),
        (MissionOrder, "invitation_number", limits.INVITATION_NUMBER), (Leg, "from_city", limits.CITY),
        (Leg, "to_city", limits.CITY), (LegStamp, "note", limits.STAMP_NOTE),
        (ApprovalDelegation, "note", limits.DELEGATION_NOTE), (Post, "title", limits.POST_TITLE),
        (Post, "body_km", limits.POST_BODY), (Post, "agenda", limits.AGENDA),
        (Post, "meeting_place", limits.MEETING_PLACE), (Post, "reason", limits.REASON),
    ]
    for model, name, limit in pairs:
        assert model._meta.get_field(name).max_length == limit, (model.__name__, name)
