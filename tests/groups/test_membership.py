"""Membership is computed from current positions (A.1) and units (A.3), plus extra members."""

import pytest
from django.utils import translation

from ministry.models import Position
from ministry.services import official_change_position, official_retire
from groups import services
from groups.selectors import groups_of, is_member, members, why_member


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_leadership_group_follows_promotion_transfer_and_retirement(cast, groups):
    lead = groups.lead
    assert is_member(lead, cast.leader) and is_member(lead, cast.head)
    assert not is_member(lead, cast.official)

    promoted = official_change_position(official=cast.official, position=Position.objects.get(code="head-of-centre"),
                                        unit=cast.unit_b, by=cast.user("admin"))
    assert is_member(lead, promoted)
    assert why_member(lead, promoted) == ["holds Head of Centre"]
    # the transfer also moved them out of unit A's group
    assert not is_member(groups.unit, promoted)

    official_change_position(official=cast.head, position=Position.objects.get(code="deputy-head-of-department"),
                             unit=cast.unit_a, by=cast.user("admin"))
    assert not is_member(lead, cast.head)
    assert is_member(groups.unit, cast.head)

    official_retire(official=cast.leader, by=cast.user("admin"))
    assert not is_member(lead, cast.leader)
    assert cast.leader.pk not in set(members(lead).values_list("pk", flat=True))


def test_unit_group_has_the_units_officials_including_its_offices(cast, groups):
    ids = set(members(groups.unit).values_list("pk", flat=True))
    assert {cast.official.pk, cast.colleague.pk, cast.office_official.pk, cast.head.pk} <= ids
    assert cast.other.pk not in ids
    assert [g.pk for g in groups_of(cast.official)] == [groups.unit.pk]
    assert [g.pk for g in groups_of(cast.head)] == [groups.lead.pk, groups.unit.pk]


def test_extra_member_is_listed_with_the_reason_and_removed_again(cast, groups):
    services.extra_member_add(group=groups.lead, official=cast.cabinet_clerk, reason="Secretary of the group",
                              by=cast.user("admin"))
    assert is_member(groups.lead, cast.cabinet_clerk)
    assert why_member(groups.lead, cast.cabinet_clerk) == ["extra: Secretary of the group"]
    assert why_member(groups.lead, cast.leader)[0].startswith("holds")
    services.extra_member_remove(group=groups.lead, official=cast.cabinet_clerk, by=cast.user("admin"))
    assert not is_member(groups.lead, cast.cabinet_clerk)
    assert why_member(groups.lead, cast.cabinet_clerk) == []


def test_every_group_has_a_feed_channel_and_the_leadership_group_is_moderated_by_the_cabinet(cast, groups):
    import pytest
    from django.core.exceptions import ValidationError

    assert groups.lead.channels.filter(kind="feed").count() == 1
    assert groups.unit.channels.filter(kind="feed").count() == 1
    assert list(groups.unit.moderators.all()) == [cast.head]
    with pytest.raises(ValidationError):
        services.group_set_moderators(group=groups.lead, moderators=[cast.leader], by=cast.user("admin"))
