"""Business actions on the organisation: one function per action, each audited."""

import csv
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .audit import audit
from .models import Official, Position, PositionHolding, Province, Unit, Role
from .reference import load_reference_data
from .roles import STAFF_ROLES

DATA_DIR = Path(__file__).resolve().parent / "data"


def _rows(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


@transaction.atomic
def organisation_load(*, by=None) -> dict:
    """Load the Ministry's real organisation (idempotent): provinces, positions and roles (also
    restored here if a database was emptied), the central units and one Department of Civil
    Service for the capital and each province."""
    load_reference_data(Province, Position, Group)
    counts = {"positions": Position.objects.count(), "units": 0}
    by_code = {}
    for row in _rows("units.csv"):
        unit, _ = Unit.objects.update_or_create(
            code=row["code"],
            defaults={
                "parent": by_code.get(row["parent"]),
                "kind": row["kind"],
                "may_issue_orders": row["may_issue_orders"] == "1",
                "receives_returns": row["receives_returns"] == "1",
                "abbreviation_km": row["abbreviation_km"],
                "abbreviation_en": row["abbreviation_en"],
                "name_en": row["name_en"],
                "name_km": row["name_km"],
                "issuer_title_en": row["issuer_title_en"],
                "issuer_title_km": row["issuer_title_km"],
            },
        )
        by_code[unit.code] = unit
        counts["units"] += 1
    ministry = by_code["MCS"]
    for province in Province.objects.all():
        capital = province.kind == Province.Kind.CAPITAL
        Unit.objects.update_or_create(
            code=f"PDCS-{province.code}",
            defaults={
                "parent": ministry,
                "kind": Unit.Kind.PROVINCIAL,
                "province": province,
                "name_km": f"មន្ទីរមុខងារសាធារណៈ{'រាជធានី' if capital else 'ខេត្ត'}{province.name_km}",
                "name_en": (
                    f"{province.name_en} {'Capital' if capital else 'Provincial'} Department of Civil Service"
                ),
                "abbreviation_km": "ម.ម.ស.",
                "abbreviation_en": "PDCS",
            },
        )
        counts["units"] += 1
    if by is not None:
        audit(ministry, "ministry.organisation.loaded", by=by, **counts)
    return counts


@transaction.atomic
def official_change_position(
    *, official: Official, position: Position, unit: Unit, by=None, on: date | None = None, note: str = ""
) -> Official:
    """Move an official to a new position and/or unit, keeping the history of holdings.

    Leadership-group membership is computed from the current holding, so this one
    call is what promotes, transfers or retires someone out of a group."""
    on = on or timezone.localdate()
    official = Official.objects.select_for_update().get(pk=official.pk)
    before = {"position": official.position.code, "unit": official.unit.code}
    PositionHolding.objects.filter(official=official, ended_on__isnull=True).update(ended_on=on)
    PositionHolding.objects.create(official=official, position=position, unit=unit, started_on=on, note=note)
    official.position, official.unit = position, unit
    official.save(update_fields=["position", "unit"])
    audit(
        official,
        "ministry.official.position_changed",
        by=by,
        before=before,
        after={"position": position.code, "unit": unit.code},
        on=on.isoformat(),
        note=note,
    )
    return official


@transaction.atomic
def official_retire(*, official: Official, by=None, on: date | None = None, note: str = "") -> Official:
    on = on or timezone.localdate()
    official = Official.objects.select_for_update().get(pk=official.pk)
    PositionHolding.objects.filter(official=official, ended_on__isnull=True).update(ended_on=on)
    official.active = False
    official.save(update_fields=["active"])
    audit(official, "ministry.official.retired", by=by, on=on.isoformat(), note=note)
    return official


def official_ensure_holding(official: Official, on: date | None = None) -> None:
    """Open the first holding of an official who has none (after creation or import)."""
    if not PositionHolding.objects.filter(official=official, ended_on__isnull=True).exists():
        PositionHolding.objects.create(
            official=official, position=official.position, unit=official.unit, started_on=on or timezone.localdate()
        )


def official_create_with_login(*, official: Official, username: str, password: str, roles=(), by=None) -> Official:
    """A new official with a login and roles in one step: the user, the official, the role groups, the first
    holding. Staff access (the admin) follows the roles: approvers, clerks, heads of unit and administrators get it."""
    roles = [Role(r) for r in dict.fromkeys(roles)]
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            username=username, password=password, email=official.email,
            is_staff=bool(set(roles) & set(STAFF_ROLES)),
        )
        user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
        official.user = user
        official.save()
        official_ensure_holding(official)
        audit(official, "ministry.official.created", by=by, username=username, roles=[r.value for r in roles])
    return official
