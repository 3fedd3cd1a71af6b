"""Rebuild the statistics' rows (``MissionFact``) of every issued order, e.g. after loading orders
without the workflow (``seed_scale``) or after a restore. Idempotent."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from finance.models import Commitment, MissionFact, Settlement
from finance.models import Absence
from finance.services import FACT_STATES, absences_write, statistics_changed
from missions.models import Leg, MissionOrder, OrderLog


class Command(BaseCommand):
    help = "Rebuild the statistics rows of every issued (not revoked) order."

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=5000)

    def handle(self, *args, chunk, **options):
        ids = list(MissionOrder.objects.filter(state__in=FACT_STATES, number__isnull=False)
                   .order_by("id").values_list("id", flat=True))
        MissionFact.objects.exclude(order__state__in=FACT_STATES).delete()
        Absence.objects.exclude(order__state__in=FACT_STATES).delete()
        written = 0
        for start in range(0, len(ids), chunk):
            keys = ids[start:start + chunk]
            written += self._write(keys)
        statistics_changed()
        self.stdout.write(f"{written} statistics rows written")

    def _write(self, keys) -> int:
        orders = MissionOrder.objects.filter(pk__in=keys).values(
            "id", "requesting_unit_id", "requesting_unit__path", "issuing_unit_id", "departure_date", "return_date",
            "overdue_since", "returned_at")
        travellers = dict(MissionOrder.objects.filter(pk__in=keys).annotate(n=Count("travellers"))
                          .values_list("id", "n"))
        first_province = {}
        abroad = set()
        for order_id, province_id, seq in (Leg.objects.filter(order_id__in=keys).order_by("order_id", "seq")
                                           .values_list("order_id", "to_province_id", "seq")):
            if province_id is None:
                abroad.add(order_id)
            elif order_id not in first_province:
                first_province[order_id] = province_id
        overdue = set(OrderLog.objects.filter(order_id__in=keys, action="overdue").values_list("order_id", flat=True))
        estimates = dict(Commitment.objects.filter(order_id__in=keys).values_list("order_id", "estimate"))
        actuals = dict(Settlement.objects.filter(order_id__in=keys).values_list("order_id", "final"))
        rows = []
        for o in orders:
            days = (o["return_date"] - o["departure_date"]).days + 1
            n = travellers.get(o["id"], 0)
            returned = ((timezone.localdate(o["returned_at"]) - o["return_date"]).days
                        if o["returned_at"] else None)
            rows.append(MissionFact(
                order_id=o["id"], unit_id=o["requesting_unit_id"], unit_path=o["requesting_unit__path"],
                issuer_id=o["issuing_unit_id"], year=o["departure_date"].year, month=o["departure_date"].month,
                province_id=first_province.get(o["id"]), abroad=o["id"] in abroad, travellers=n, days=days,
                traveller_days=n * days, departure_date=o["departure_date"], return_date=o["return_date"],
                estimate=estimates.get(o["id"]), actual=actuals.get(o["id"]),
                overdue=o["overdue_since"] is not None or o["id"] in overdue, days_to_return=returned))
        with transaction.atomic():
            MissionFact.objects.filter(order_id__in=keys).delete()
            MissionFact.objects.bulk_create(rows, batch_size=1000)
            absences_write(keys)
        return len(rows)
