"""Every list page runs the same number of queries for 5 rows as for 60 (no N+1)."""

import secrets
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ministry.models import Official
from missions.models import Leg, MissionOrder, Traveller
from tests.factories import make_official, make_order

# page, who looks at it, the state of the rows it lists, extra order fields
PAGES = [
    ("missions:mine", "official", "draft", {}),
    ("missions:unit", "head", "issued", {}),
    ("missions:approvals", "leader", "submitted", {}),
    ("missions:to_issue", "gdaf_clerk", "approved", {}),
    ("missions:returns", "returns_clerk", "returned", {}),
    ("missions:returns?overdue=on", "returns_clerk", "issued", {"overdue": True}),
]


def _clone(order, n):
    """``n`` more orders like ``order`` (travellers, legs, numbers), inserted in bulk."""
    base = MissionOrder.objects.filter(issuing_unit=order.issuing_unit).exclude(number=None).order_by("-number")
    top = base.values_list("number", flat=True).first() or 0
    legs = list(order.legs.all())
    travellers = list(order.travellers.all())
    copies = []
    for i in range(n):
        c = MissionOrder.objects.get(pk=order.pk)
        c.pk = None
        c.verification_token = secrets.token_urlsafe(24)
        c.created = order.created - timedelta(minutes=i + 1)
        if c.number:
            c.number = top + i + 1
        copies.append(c)
    copies = MissionOrder.objects.bulk_create(copies)
    if copies[0].pk is None:
        tokens = {c.verification_token: c for c in copies}
        for pk, token in MissionOrder.objects.filter(verification_token__in=tokens).values_list("pk", "verification_token"):
            tokens[token].pk = pk
    new_legs, new_travellers = [], []
    for c in copies:
        for leg in legs:
            leg.pk, leg.order_id = None, c.pk
            new_legs.append(Leg(**{f.attname: getattr(leg, f.attname) for f in Leg._meta.concrete_fields}))
        for t in travellers:
            new_travellers.append(Traveller(**{f.attname: getattr(t, f.attname) for f in Traveller._meta.concrete_fields
                                               if f.attname not in ("id", "order_id")}, order_id=c.pk))
    Leg.objects.bulk_create(new_legs)
    Traveller.objects.bulk_create(new_travellers)


def _seed(cast, state, extra, rows):
    order = make_order(cast, state=state)
    if extra.get("overdue"):
        MissionOrder.objects.filter(pk=order.pk).update(overdue_since=timezone.localdate())
        order.refresh_from_db()
    _clone(order, rows - 1)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response


def _url(name):
    name, _, query = name.partition("?")
    return reverse(name) + (f"?{query}" if query else "")


@pytest.mark.django_db
@pytest.mark.parametrize("page,who,state,extra", PAGES, ids=[p[0] for p in PAGES])
def test_list_page_queries_do_not_grow_with_rows(cast, login, django_assert_max_num_queries, page, who, state, extra):
    client = login(getattr(cast, who))
    url = _url(page)
    _seed(cast, state, extra, 5)
    small, response = _count(client, url)
    assert response.context["total"] == 5
    _clone(MissionOrder.objects.filter(state=state).first(), 55)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.context["total"] == 60
    assert len(response.context["page"].object_list) == 50


@pytest.mark.django_db
def test_people_page_queries_do_not_grow_with_rows(cast, login, django_assert_max_num_queries):
    client = login(cast.head)
    url = reverse("ministry:people")
    small, response = _count(client, url)
    have = response.context["total"]
    for _ in range(60 - have):
        make_official(cast.unit_a, login=False)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.context["total"] == Official.objects.filter(unit__path__startswith=cast.unit_a.path).count() >= 60


def _posts(group, author, n):
    from groups.models import Post

    Post.objects.bulk_create([
        Post(group=group, category=Post.Category.ANNOUNCEMENT, title=f"សេចក្តីជូនដំណឹង {i}", body_km="អត្ថបទ",
             author=author, state=Post.State.PUBLISHED, moderated_by=author, moderated_at=timezone.now())
        for i in range(n)
    ])


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["groups:index", "groups:group"])
def test_groups_pages_queries_do_not_grow_with_posts(cast, login, django_assert_max_num_queries, name):
    from groups.models import ChatGroup

    group = ChatGroup.objects.create(kind="unit", unit=cast.unit_a, name_km="ក្រុមនាយកដ្ឋាន A", name_en="Department A")
    url = reverse(name, args=[group.pk] if name == "groups:group" else [])
    client = login(cast.head)
    _posts(group, cast.head, 5)
    small, _ = _count(client, url)
    _posts(group, cast.colleague, 55)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("សេចក្តីជូនដំណឹង ") >= 5
