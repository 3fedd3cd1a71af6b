"""The admin's long lists: the fast rows and action bar are Django's, byte for byte; the bounded count."""

import difflib
import re
from datetime import date, timedelta

import pytest
from django.contrib.admin.templatetags import admin_list

from common.admin_lists import BoundedCountPaginator
from tests.factories import make_order

pytestmark = pytest.mark.django_db

LISTS = ["/admin/missions/missionorder/", "/admin/missions/missionorder/?state=issued&o=2", "/admin/missions/orderlog/",
         "/admin/ministry/official/", "/admin/auth/user/", "/admin/missions/traveller/", "/admin/missions/leg/",
         "/admin/ministry/unit/", "/admin/ministry/position/", "/admin/missions/approvaldelegation/"]


def test_fast_rows_write_the_same_html_as_django(cast, client, monkeypatch):
    import portal.templatetags.portal_admin as fast

    for i, state in enumerate(("submitted", "issued", "approved")):
        make_order(cast, state=state, start=date.today() + timedelta(days=10 + 10 * i))
    cast.admin.user.is_staff = cast.admin.user.is_superuser = True
    cast.admin.user.save()
    client.force_login(cast.admin.user)
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    for url in LISTS:
        for lang in ("km", "en"):
            client.get(url, HTTP_ACCEPT_LANGUAGE=lang)  # the kept pieces written; compared as read back
            ours = token.sub("", client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode())
            monkeypatch.setattr(fast, "fast_results", lambda cl: list(admin_list.results(cl)))
            monkeypatch.setattr(fast, "_action_fields_html", lambda form: None)  # Django's loop over the fields
            monkeypatch.setattr(fast, "_DJANGO_FILTER_TEMPLATE", "-")  # each filter by Django's admin_list_filter
            django = token.sub("", client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode())
            monkeypatch.undo()
            assert "<tbody>" in ours or "approvaldelegation" in url
            assert 'name="action"' in ours or "approvaldelegation" in url or "missionorder" not in url
            assert ours == django, (url, lang, "".join(list(difflib.unified_diff(
                django.splitlines(True), ours.splitlines(True)))[:30]))
    assert fast._ACTION_FIELDS and fast._DATES and fast._FILTERS  # the kept bars, cells and filters were compared


def test_the_filters_block_is_djangos_with_the_kept_filters():
    """templates/admin/change_list.html writes the filters block as Django's change_list.html does, with
    fast_admin_list_filter in place of admin_list_filter."""
    from pathlib import Path

    import django
    from django.conf import settings

    def block(text):
        return text.split("{% block filters %}", 1)[1].split("{% endblock %}", 1)[0]

    django_html = (Path(django.__file__).parent / "contrib/admin/templates/admin/change_list.html").read_text()
    ours = (Path(settings.BASE_DIR) / "templates/admin/change_list.html").read_text()
    assert block(ours) == block(django_html).replace("{% admin_list_filter cl spec %}",
                                                     "{% fast_admin_list_filter cl spec %}")


def test_a_kept_filter_is_written_again_for_other_values(cast, client):
    """The kept filter HTML follows what it writes: another selection, another language, another query."""
    cast.admin.user.is_staff = cast.admin.user.is_superuser = True
    cast.admin.user.save()
    client.force_login(cast.admin.user)
    pages = {}
    for url in ("/admin/missions/missionorder/", "/admin/missions/missionorder/?state=issued",
                "/admin/missions/missionorder/?state=issued&o=2"):
        for lang in ("km", "en"):
            html = client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
            pages[url, lang] = html.split('<nav id="changelist-filter"')[1].split("</nav>")[0]
    assert len(set(pages.values())) == len(pages)
    def state_filter(url):
        return pages[url, "en"].split('data-filter-title="state"')[1].split("</details>")[0]

    selected = 'class="selected">\n    <a href="{}">{}</a>'
    assert selected.format("?", "All") in state_filter("/admin/missions/missionorder/")
    assert selected.format("?state=issued", "Issued") in state_filter("/admin/missions/missionorder/?state=issued")


def test_bounded_count_is_exact_up_to_its_bound(cast):
    from missions.models import OrderLog

    for i in range(3):
        make_order(cast, state="issued", start=date.today() + timedelta(days=10 + 10 * i))
    qs = OrderLog.objects.all()
    total = qs.count()
    assert total > 6
    assert BoundedCountPaginator(qs, 2).count == total
    small = BoundedCountPaginator(qs, 2)
    small.exact_up_to = 3
    # Beyond the bound: PostgreSQL's estimate, never less than the bound; other databases count exactly.
    assert small.count >= 4
    assert BoundedCountPaginator(qs.filter(action="no-such-action"), 2).count == 0


def test_bounded_count_and_estimate_in_one_statement(cast):
    """On PostgreSQL the bounded count and, beyond the bound, the planner's estimate come from one statement, and
    are what the count cut at the bound and ``estimated_rows`` (a second EXPLAIN) give; elsewhere None."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from common.admin_lists import bounded_count_and_estimate, estimated_rows
    from missions.models import MissionOrder, OrderLog

    for i in range(3):
        make_order(cast, state="issued", start=date.today() + timedelta(days=10 + 10 * i))
    cases = [OrderLog.objects.all(), OrderLog.objects.filter(action="no-such-action"), MissionOrder.objects.none(),
             MissionOrder.objects.filter(state="issued").select_related("issuing_unit").order_by("-created"),
             OrderLog.objects.filter(order__state="issued").distinct()]
    for qs in cases:
        for bound in (2, 1000):
            with CaptureQueriesContext(connection) as ctx:
                both = bounded_count_and_estimate(qs, bound)
            if connection.vendor != "postgresql":
                assert both is None
                continue
            assert len(ctx.captured_queries) <= 1
            count = qs.order_by()[: bound + 1].count()
            assert both[0] == count, (qs.query, bound)
            if count > bound:
                assert both[1] == estimated_rows(qs)
            paginator = BoundedCountPaginator(qs, 2)
            paginator.exact_up_to = bound
            assert paginator.count == (count if count <= bound else max(count, estimated_rows(qs)))


def test_later_pages_read_by_keys_are_the_same_rows(cast):
    from django.core.paginator import Paginator

    from missions.models import OrderLog

    for i in range(3):
        make_order(cast, state="issued", start=date.today() + timedelta(days=10 + 10 * i))
    qs = OrderLog.objects.select_related("order", "actor").order_by("-id")
    plain, ours = Paginator(qs, 4), BoundedCountPaginator(qs, 4)
    assert ours.num_pages == plain.num_pages >= 3
    for number in range(1, plain.num_pages + 1):
        assert [o.pk for o in ours.page(number).object_list] == [o.pk for o in plain.page(number).object_list]


def test_the_log_is_searched_by_order_number_user_name_and_note(cast, client):
    from khmer.digits import to_khmer_digits
    from missions.models import OrderLog

    rejected = make_order(cast, state="rejected", start=date.today() + timedelta(days=12))  # note "មិនចាំបាច់"
    issued = make_order(cast, state="issued")
    cast.admin.user.is_staff = cast.admin.user.is_superuser = True
    cast.admin.user.save()
    client.force_login(cast.admin.user)

    def found(term):
        response = client.get("/admin/missions/orderlog/", {"q": term}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        return {entry.pk for entry in response.context["cl"].result_list}

    number_rows = set(OrderLog.objects.filter(order=issued).values_list("pk", flat=True))
    assert found(str(issued.number)) == number_rows
    assert found(to_khmer_digits(str(issued.number))) == number_rows
    assert found("ចាំបាច់") == set(OrderLog.objects.filter(order=rejected, note__contains="ចាំបាច់")
                                  .values_list("pk", flat=True)) != set()
    clerk = cast.gdaf_clerk.user.username
    assert found(clerk.upper()) == set(OrderLog.objects.filter(actor__username=clerk).values_list("pk", flat=True)) != set()
    assert found("no such words anywhere") == set()
    assert found("9" * 30) == set()  # a number past any order's: nothing found, not a database error
