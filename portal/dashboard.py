"""The dashboard's counts: the one place that reads across apps for the home page."""

from django.db.models import Count, Q

from ministry.models import Role
from ministry.roles import has_role, official_of
from missions.models import MissionOrder, State


def dashboard_counts(user) -> list[tuple[str, int, str]]:
    from django.urls import reverse
    from django.utils.translation import gettext as _

    me = official_of(user)
    cards = []
    if me is not None:
        from missions.selectors import mine_q

        mine = MissionOrder.objects.filter(mine_q(me))  # one's own orders are always visible to oneself
        agg = mine.aggregate(
            active=Count("pk", filter=Q(state__in=[State.SUBMITTED, State.APPROVED, State.ISSUED])),
            to_return=Count("pk", filter=Q(state__in=[State.ISSUED, State.SENT_BACK])),
        )
        cards.append((_("My active missions"), agg["active"], reverse("missions:mine")))
        cards.append((_("Returns to file"), agg["to_return"], reverse("missions:mine") + "?state=issued"))
    if has_role(user, Role.APPROVER):
        from missions.selectors import approval_queue

        cards.append((_("Waiting for my approval"), approval_queue(user).count(), reverse("missions:approvals")))
    if has_role(user, Role.ISSUING_CLERK):
        from missions.selectors import issue_queue

        cards.append((_("Approved, to issue"), issue_queue(user).count(), reverse("missions:to_issue")))
    if has_role(user, Role.RETURNS_CLERK):
        from missions.selectors import returns_queue

        q = returns_queue(user)
        cards.append((_("Returns to check"), q.filter(state=State.RETURNED).count(), reverse("missions:returns")))
        cards.append((_("Overdue returns"), q.filter(overdue_since__isnull=False).exclude(state=State.ACCEPTED).count(),
                      reverse("missions:returns") + "?overdue=1"))
    return cards
