import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from groups.models import ChatGroup, Post
from ministry.demo import DEMO_PASSWORD_SUFFIX, LOGINS
from ministry.models import Official, Position, Unit
from missions.models import MissionOrder, State


def _counts():
    return (Unit.objects.count(), Official.objects.count(), MissionOrder.objects.count(), ChatGroup.objects.count(),
            Post.objects.count())


@pytest.mark.django_db
def test_demo_data_is_complete_and_loading_it_twice_changes_nothing(capsys):
    call_command("load_demo")
    first = _counts()
    printed = capsys.readouterr().out
    call_command("load_demo")
    assert _counts() == first

    # The real organisation: every leadership position held, a director for each of the 25 provinces.
    held = set(Official.objects.filter(active=True).values_list("position__code", flat=True))
    assert set(Position.objects.filter(in_leadership_group=True).values_list("code", flat=True)) <= held
    assert Official.objects.filter(position__code="provincial-director", unit__kind="provincial").count() == 25
    assert 190 <= Official.objects.count() <= 260
    # Orders in every state, some of them overdue.
    assert set(MissionOrder.objects.values_list("state", flat=True)) == set(State.values)
    assert MissionOrder.objects.filter(overdue_since__isnull=False).exists()
    # A group per unit and the leadership group; posts in every moderation state.
    assert ChatGroup.objects.filter(kind="leadership").count() == 1
    assert set(Post.objects.values_list("state", flat=True)) >= {"pending", "published", "rejected"}
    # A login per role, printed with its password, that really logs in.
    request = RequestFactory().post("/accounts/login/")
    for username in LOGINS:
        password = username + DEMO_PASSWORD_SUFFIX
        assert f"{username}" in printed and password in printed
        assert authenticate(request, username=username, password=password) is not None


@pytest.mark.django_db
def test_demo_data_looks_like_the_ministry_and_every_queue_has_work():
    from groups.models import TelegramAccount
    from missions import selectors
    from missions.models import Traveller

    call_command("load_demo")
    users = {o.user.username: o for o in Official.objects.filter(user__username__in=LOGINS)}
    for clerk in ("cabinet", "gdaf", "returns"):
        assert users[clerk].unit.code not in ("CABINET", "GDAF"), clerk  # in an office under them
    assert selectors.approval_queue(users["leader"].user).exists()
    assert selectors.issue_queue(users["gdaf"].user).exists()
    assert selectors.issue_queue(users["cabinet"].user).exists()
    assert selectors.returns_queue(users["returns"].user).filter(state=State.RETURNED).exists()
    # Most officials have no login; a delegation has members without one; a leader is on Telegram only.
    assert Official.objects.filter(user__isnull=True).count() > Official.objects.count() / 2
    assert Traveller.objects.filter(official__user__isnull=True, order__state=State.RETURNED).exists()
    tg = TelegramAccount.objects.select_related("official__user").get()
    assert tg.official.position.in_leadership_group and not tg.official.user.has_usable_password()
