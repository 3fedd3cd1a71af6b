import io

import pytest
import tablib

from ministry.models import Official, PositionHolding
from ministry.resources import OfficialResource, UnitResource

HEADER = ["civil_service_id", "honorific", "name_km", "name_latin", "gender", "unit", "position", "phone", "email",
          "active"]
GOOD = ["N000001", "លោក", "ចាន់ ដារ៉ា", "Chan Dara", "m", "DEPT-A", "official", "012 345 678", "", "1"]


def _import(rows, dry_run=False):
    data = tablib.Dataset(*rows, headers=HEADER)
    return OfficialResource().import_data(data, dry_run=dry_run, raise_errors=False, use_transactions=True,
                                          rollback_on_validation_errors=True)


def _row_errors(result):
    messages = [str(e.error) for row in result.rows for e in row.errors]
    messages += [f"{k}: {v}" for inv in result.invalid_rows for k, v in inv.error_dict.items()]
    return messages


@pytest.mark.django_db
def test_clean_file_imports_with_history(cast):
    before = Official.objects.count()
    result = _import([GOOD, ["N000002", "អ្នកនាងកញ្ញា", "លី ធីតា", "Ly Thida", "f", "DEPT-B", "official", "", "", "1"]])
    assert not result.has_errors() and not result.has_validation_errors()
    assert Official.objects.count() == before + 2
    assert Official.objects.get(civil_service_id="N000002").honorific == "kanha"
    assert PositionHolding.objects.filter(official__civil_service_id="N000001", ended_on__isnull=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad_row, message",
    [
        (["N000009", "លោក", "x", "X", "m", "NO-SUCH-UNIT", "official", "", "", "1"], "NO-SUCH-UNIT"),
        (["N000009", "Sir", "x", "X", "m", "DEPT-A", "official", "", "", "1"], "Sir"),
        (["N000009", "លោក", "x", "X", "m", "DEPT-A", "emperor", "", "", "1"], "emperor"),
        (["N000009", "លោក", "x", "X", "q", "DEPT-A", "official", "", "", "1"], "m or f"),
        (GOOD, "twice"),
    ],
)
def test_one_bad_row_writes_nothing_at_all(cast, bad_row, message):
    before = Official.objects.count()
    result = _import([GOOD, bad_row])
    assert result.has_errors() or result.has_validation_errors()
    assert any(message in m for m in _row_errors(result)), _row_errors(result)
    assert Official.objects.count() == before
    assert not Official.objects.filter(civil_service_id="N000001").exists()


@pytest.mark.django_db
def test_existing_civil_service_id_updates_not_duplicates(cast):
    row = list(GOOD)
    row[0] = cast.other.civil_service_id
    row[3] = "Renamed Person"
    result = _import([row])
    assert not result.has_errors()
    assert Official.objects.filter(civil_service_id=cast.other.civil_service_id).count() == 1
    assert Official.objects.get(pk=cast.other.pk).name_latin == "Renamed Person"


@pytest.mark.django_db
def test_unit_import_cannot_grant_issuing(cast):
    data = tablib.Dataset(["DEPT-NEW", "GDPOLICY", "department", "នាយកដ្ឋានថ្មី", "New Department", "", "", "", "1"],
                          headers=["code", "parent", "kind", "name_km", "name_en", "abbreviation_km",
                                   "abbreviation_en", "province", "active"])
    result = UnitResource().import_data(data, dry_run=False, raise_errors=False)
    assert not result.has_errors()
    from ministry.models import Unit

    unit = Unit.objects.get(code="DEPT-NEW")
    assert unit.parent.code == "GDPOLICY" and not unit.may_issue_orders
    assert "may_issue_orders" not in UnitResource().get_export_headers()


@pytest.mark.django_db
def test_admin_import_preview_reports_wrong_encoding_and_writes_nothing(cast, login):
    client = login(cast.admin)
    before = Official.objects.count()
    content = ("\n".join([",".join(HEADER), ",".join(GOOD)])).encode("utf-16")
    upload = io.BytesIO(content)
    upload.name = "officials.csv"
    response = client.post("/admin/ministry/official/import/", {"format": "0", "import_file": upload,
                                                                "resource": "0"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "encoding" in body.lower() or "error" in body.lower()
    assert Official.objects.count() == before


@pytest.mark.django_db
def test_admin_import_preview_lists_row_errors(cast, login):
    client = login(cast.admin)
    before = Official.objects.count()
    bad = list(GOOD)
    bad[0], bad[5] = "N000002", "NO-SUCH-UNIT"
    upload = io.BytesIO(("\n".join([",".join(HEADER), ",".join(GOOD), ",".join(bad)])).encode("utf-8"))
    upload.name = "officials.csv"
    response = client.post("/admin/ministry/official/import/", {"format": "0", "import_file": upload,
                                                                "resource": "0"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "NO-SUCH-UNIT" in body, body[body.find("<main"):][:3000]
    assert Official.objects.count() == before


@pytest.mark.django_db
def test_every_problem_of_a_row_comes_at_once_numbered_as_the_spreadsheet_row(cast):
    """A duplicate ID, an unknown unit and a bad gender on one row: all three in the first round, on the
    row number the spreadsheet shows (the header is row 1)."""
    bad = ["N000001", "លោក", "x", "X", "q", "NO-SUCH-UNIT", "emperor", "", "", "1"]
    result = _import([GOOD, GOOD[:1] + ["លោក", "y", "Y", "m", "DEPT-A", "official", "", "", "1"], bad])
    errors = result.row_errors()
    assert [line for line, _ in errors] == [3, 4]
    (message,) = [str(e.error) for e in dict(errors)[4]]
    for part in ("twice", "NO-SUCH-UNIT", "emperor", "m or f"):
        assert part in message, message
    assert Official.objects.filter(civil_service_id="N000001").count() == 0
