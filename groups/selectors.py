"""Who is in a group, and why (computed from current positions, never stored)."""

from django.db.models import Q
from django.utils.translation import gettext as _

from ministry.models import Official, Unit

from .models import ChatGroup, Post


def _by_position_q(group: ChatGroup) -> Q:
    if group.is_leadership:
        return Q(position__in_leadership_group=True)
    return Q(unit__path__startswith=group.unit.path)


def members(group: ChatGroup):
    """Active officials in ``group``: by position (A.1) or unit (A.3), plus extra members."""
    extra_ids = group.extras.values_list("official_id", flat=True)
    return (
        Official.objects.filter(active=True)
        .filter(_by_position_q(group) | Q(pk__in=extra_ids))
        .select_related("position", "unit")
        .distinct()
    )


def is_member(group: ChatGroup, official: Official | None) -> bool:
    return official is not None and members(group).filter(pk=official.pk).exists()


def why_member(group: ChatGroup, official: Official) -> list[str]:
    """The reasons ``official`` is a member of ``group`` (empty when not a member)."""
    if not official.active:
        return []
    reasons = []
    if group.is_leadership and official.position.in_leadership_group:
        reasons.append(_("holds %(position)s") % {"position": official.position.title})
    elif not group.is_leadership and official.unit.path.startswith(group.unit.path):
        reasons.append(_("works in %(unit)s") % {"unit": official.unit.name})
    extra = group.extras.filter(official=official).first()
    if extra is not None:
        reasons.append(_("extra: %(reason)s") % {"reason": extra.reason})
    return reasons


def leadership_group() -> ChatGroup | None:
    return ChatGroup.objects.filter(kind=ChatGroup.Kind.LEADERSHIP).first()


def unit_group_for(official: Official | None) -> ChatGroup | None:
    """The group of the official's unit, or of the nearest unit above it that has one."""
    if official is None:
        return None
    ids = [int(p) for p in official.unit.path.strip("/").split("/") if p]
    groups = {g.unit_id: g for g in ChatGroup.objects.filter(kind=ChatGroup.Kind.UNIT, unit_id__in=ids)}
    for unit_id in reversed(ids):
        if unit_id in groups:
            return groups[unit_id]
    return None


def groups_of(official: Official | None) -> list[ChatGroup]:
    if official is None:
        return []
    result = []
    lead = leadership_group()
    if lead is not None and is_member(lead, official):
        result.append(lead)
    mine = unit_group_for(official)
    if mine is not None:
        result.append(mine)
    for extra_group in ChatGroup.objects.filter(extras__official=official).distinct():
        if extra_group not in result:
            result.append(extra_group)
    return result


def may_moderate(group: ChatGroup, official: Official | None) -> bool:
    """A moderator of the group; the leadership group is moderated by the Cabinet's moderators."""
    if official is None or not official.active:
        return False
    if not group.moderators.filter(pk=official.pk).exists():
        return False
    if group.is_leadership:
        cabinet = Unit.objects.filter(code="CABINET").first()
        return cabinet is not None and official.unit.path.startswith(cabinet.path)
    return True


def heads_group(official: Official | None) -> ChatGroup | None:
    """The unit group a head of unit may forward leadership posts to (their own unit's)."""
    if official is None or not official.active or not official.position.heads_unit:
        return None
    return ChatGroup.objects.filter(kind=ChatGroup.Kind.UNIT, unit=official.unit).first()


def feed(group: ChatGroup):
    return (
        Post.objects.filter(group=group, state=Post.State.PUBLISHED)
        .select_related("author", "forwarded_from", "order", "document")
        .order_by("-published_at", "-id")
    )


def moderation_queue(official: Official | None):
    if official is None:
        return Post.objects.none()
    group_ids = [g.pk for g in ChatGroup.objects.filter(moderators=official) if may_moderate(g, official)]
    # One's own posts wait for another moderator (A.4: a second pair of eyes).
    return (Post.objects.filter(group_id__in=group_ids, state=Post.State.PENDING).exclude(author=official)
            .select_related("group", "author"))
