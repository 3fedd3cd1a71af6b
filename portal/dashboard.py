"""The dashboard's counts: the one place that reads across apps for the home page.

Each card is a queue and the filters of the list it opens; its count is that list's count, taken with
the same reader and the same filters (``missions.selectors.filter_orders``)."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from ministry.models import Role
from ministry.roles import has_role, official_of
from missions import selectors


def dashboard_cards(user) -> list[tuple[str, str, dict]]:
    """(label, queue, list filters) of each card ``user`` sees."""
    cards = []
    if official_of(user) is not None:
        cards.append((_("My active missions"), "mine", {"state": "active"}))
        cards.append((_("Returns to file"), "mine", {"state": "to_return"}))
    if has_role(user, Role.APPROVER):
        cards.append((_("Waiting for my approval"), "approvals", {}))
    if has_role(user, Role.ISSUING_CLERK):
        cards.append((_("Approved, to issue"), "to_issue", {}))
    if has_role(user, Role.RETURNS_CLERK):
        cards.append((_("Returns to check"), "returns", {"state": "returned"}))
        cards.append((_("Overdue returns"), "returns", {"overdue": "1"}))
    return cards


QUEUE_READERS = {
    "mine": selectors.my_orders,
    "unit": selectors.unit_queue,
    "approvals": selectors.approval_queue,
    "to_issue": selectors.issue_queue,
    "returns": selectors.returns_queue,
}


def dashboard_counts(user) -> list[tuple[str, int, str]]:
    out = []
    for label, queue, params in dashboard_cards(user):
        filters = {key: (value == "1" if key == "overdue" else value) for key, value in params.items()}
        count = selectors.filter_orders(QUEUE_READERS[queue](user), **filters).count()
        url = reverse(f"missions:{queue}") + (f"?{urlencode(params)}" if params else "")
        out.append((label, count, url))
    return out
