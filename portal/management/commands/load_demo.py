from django.core.management.base import BaseCommand
from django.db import transaction

from ministry.demo import DEMO_PASSWORD_SUFFIX, load_people, role_label


class Command(BaseCommand):
    help = "Load the Ministry's organisation with demo people, logins and orders in every state (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            people = load_people()
            from missions.demo import load_orders

            orders = load_orders(people["logins"])
            try:
                from groups.demo import load_groups
            except ImportError:
                groups = None
            else:
                groups = load_groups(people["logins"])
        out = self.stdout
        out.write(
            f"Organisation: {people['units']} units (25 capital/provincial departments), "
            f"{people['officials']} officials, {people['leaders']} in leadership positions."
        )
        out.write(f"Mission orders: {orders['orders']} ({orders['created']} created now).")
        if groups:
            out.write(f"Groups: {groups}")
        out.write("")
        out.write("Demo logins (username / password — role):")
        for username, (official, roles) in people["logins"].items():
            labels = ", ".join(str(role_label(r)) for r in roles if r != "official") or str(role_label("official"))
            out.write(f"  {username:<9} / {username + DEMO_PASSWORD_SUFFIX:<20} — {labels}; {official.name_latin}, "
                      f"{official.unit.name_en}")
