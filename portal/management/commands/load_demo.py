from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from groups.demo import load_groups
from ministry.demo import DEMO_PASSWORD_SUFFIX, load_people, role_label
from missions.demo import load_orders


def _both(label) -> str:
    with translation.override("km"):
        km = str(label)
    with translation.override("en"):
        en = str(label)
    return km if km == en else f"{km} ({en})"


class Command(BaseCommand):
    help = "Load the Ministry's organisation with demo people, logins and orders in every state (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            people = load_people()
            # Groups first, so issued demo orders are posted to the leadership group (A.2).
            groups = load_groups(people["logins"])
            orders = load_orders(people["logins"])
        out = self.stdout
        out.write(
            f"Organisation: {people['units']} units (25 capital/provincial departments), "
            f"{people['officials']} officials, {people['leaders']} in leadership positions."
        )
        out.write(f"Mission orders: {orders['orders']} ({orders['created']} created now).")
        out.write(f"Groups: {groups}.")
        out.write("")
        out.write("Demo logins (username / password — role):")
        for username, (official, roles) in people["logins"].items():
            shown = [r for r in roles if r != "official"] or ["official"]
            labels = ", ".join(_both(role_label(r)) for r in shown)
            out.write(f"  {username:<9} / {username + DEMO_PASSWORD_SUFFIX:<20} — {labels}; {official.name_latin}, "
                      f"{official.unit.name_en}")
