import pytest
from django.core.exceptions import ValidationError

from ministry.models import Official, Position, PositionHolding, Province, Unit
from ministry.services import official_change_position, official_retire, organisation_load


@pytest.mark.django_db
def test_the_25_provinces_exist_after_migrate_with_iso_codes():
    assert Province.objects.count() == 25
    assert Province.objects.get(code="KH-12").name_km == "ភ្នំពេញ"
    assert Province.objects.get(code="KH-12").kind == "capital"
    assert Province.objects.get(code="KH-25").name_en == "Tboung Khmum"
    assert set(Province.objects.values_list("code", flat=True)) == {f"KH-{i}" for i in range(1, 26)}


@pytest.mark.django_db
def test_the_16_positions_of_a1_are_the_leadership_positions():
    leaders = Position.objects.filter(in_leadership_group=True)
    assert leaders.count() == 16
    assert leaders.order_by("rank").first().title_km == "រដ្ឋមន្ត្រី"
    assert not Position.objects.get(code="official").in_leadership_group


@pytest.mark.django_db
def test_real_organisation_uses_the_correct_names_not_the_typos():
    organisation_load()
    assert Unit.objects.get(code="CABINET").name_km == "ខុទ្ទកាល័យ"
    assert Unit.objects.get(code="RSA").name_km == "សាលាភូមិន្ទរដ្ឋបាល"
    assert not Unit.objects.filter(name_km__contains="ឧទ្ធុកាល័យ").exists()
    assert not Unit.objects.filter(name_km__contains="កុម្មុយនិស្ត").exists()
    assert Unit.objects.filter(kind="provincial").count() == 25
    assert Unit.objects.get(code="PDCS-KH-12").name_km == "មន្ទីរមុខងារសាធារណៈរាជធានីភ្នំពេញ"
    assert Unit.objects.get(code="PDCS-KH-17").name_km == "មន្ទីរមុខងារសាធារណៈខេត្តសៀមរាប"
    assert set(Unit.objects.filter(may_issue_orders=True).values_list("code", flat=True)) == {"CABINET", "GDAF"}


@pytest.mark.django_db
def test_loading_the_organisation_twice_changes_nothing():
    first = organisation_load()
    ids = sorted(Unit.objects.values_list("pk", "path"))
    assert organisation_load() == first
    assert sorted(Unit.objects.values_list("pk", "path")) == ids


@pytest.mark.django_db
def test_only_cabinet_and_gdaf_may_issue_unless_deliberately_allowed(settings):
    organisation_load()
    school = Unit.objects.get(code="RSA")
    school.may_issue_orders = True
    with pytest.raises(ValidationError):
        school.full_clean()
    with pytest.raises(ValidationError):
        school.save()
    assert not Unit.objects.get(code="RSA").may_issue_orders
    settings.ALLOW_OTHER_ISSUERS = True
    school.save()
    assert Unit.objects.get(code="RSA").may_issue_orders


@pytest.mark.django_db
def test_unit_tree_paths_follow_a_move(cast):
    office = cast.unit_a_office
    assert office.path.startswith(cast.unit_a.path)
    assert set(cast.unit_a.subtree()) == {cast.unit_a, office}
    cast.unit_a.parent = Unit.objects.get(code="GDSERVICE")
    cast.unit_a.save()
    office.refresh_from_db()
    assert office.path.startswith(Unit.objects.get(code="GDSERVICE").path)
    assert office.nearest(code="GDSERVICE").code == "GDSERVICE"


@pytest.mark.django_db
def test_a_move_rewrites_the_whole_subtree_in_one_statement(cast, django_assert_num_queries):
    top = cast.unit_a
    below = [cast.unit_a_office]
    for depth in range(3):  # a deeper tree than the cast's: the number of statements must not follow it
        below.append(Unit.objects.create(code=f"DEEP{depth}", parent=below[-1], name_km="ក", name_en="d"))
    sibling = Unit.objects.create(code="SIB", parent=top.parent, name_km="ខ", name_en="s")
    sibling_path = sibling.path
    target = Unit.objects.get(code="GDSERVICE")
    top.parent = target
    with django_assert_num_queries(2):  # the unit's row, then the paths of it and all under it
        top.save()
    assert top.path == f"{target.path}{top.pk}/"
    expected = top.path
    for unit in below:
        unit.refresh_from_db()
        expected = f"{expected}{unit.pk}/"
        assert unit.path == expected
    sibling.refresh_from_db()
    assert sibling.path == sibling_path


@pytest.mark.django_db
def test_a_provincial_department_needs_its_province(cast):
    unit = Unit(code="PDCS-X", parent=Unit.objects.get(code="MCS"), kind="provincial", name_km="x", name_en="x")
    with pytest.raises(ValidationError):
        unit.full_clean()


@pytest.mark.django_db
def test_position_change_keeps_the_history(cast):
    official = cast.official
    promoted = official_change_position(
        official=official, position=Position.objects.get(code="head-of-department"), unit=cast.unit_b,
        by=cast.admin.user, note="promotion",
    )
    holdings = list(PositionHolding.objects.filter(official=official).order_by("id"))
    assert len(holdings) == 2
    assert holdings[0].ended_on is not None and holdings[0].position.code == "official"
    assert holdings[1].ended_on is None and holdings[1].unit == cast.unit_b
    assert promoted.position.in_leadership_group
    official_retire(official=promoted, by=cast.admin.user)
    assert not Official.objects.get(pk=official.pk).active
    assert not PositionHolding.objects.filter(official=official, ended_on__isnull=True).exists()


@pytest.mark.django_db
def test_admin_changes_a_position_through_the_service(cast, login):
    client = login(cast.admin)
    page = client.get(f"/admin/ministry/official/{cast.official.pk}/change/")
    assert page.status_code == 200 and b"/position/" in page.content
    response = client.post(f"/admin/ministry/official/{cast.official.pk}/position/", {
        "position": Position.objects.get(code="head-of-department").pk, "unit": cast.unit_b.pk,
        "on": "2026-01-05", "note": "transfer"})
    assert response.status_code == 302
    cast.official.refresh_from_db()
    assert cast.official.unit == cast.unit_b
    assert PositionHolding.objects.filter(official=cast.official).count() == 2


@pytest.mark.django_db
def test_position_autocomplete_offers_titles_starting_with_the_term_first(client, cast):
    """Typing មន្ត្រី offers the position called មន្ត្រី before រដ្ឋមន្ត្រី (Minister), which only contains it."""
    client.force_login(cast.admin.user)
    response = client.get("/admin/autocomplete/", {"term": "មន្ត្រី", "app_label": "ministry",
                                                   "model_name": "official", "field_name": "position"})
    titles = [r["text"] for r in response.json()["results"]]
    from ministry.models import Position

    starting = {p.title_en for p in Position.objects.filter(title_km__startswith="មន្ត្រី")}
    assert "Official" in starting and "Minister" in titles, titles
    assert set(titles[:len(starting)]) == starting, titles
