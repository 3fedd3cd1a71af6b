"""Seed a realistic, large organisation and order book for load tests.

``manage.py seed_scale --officials 10000 --orders 100000 [--seed N]``

Bulk inserts only (no per-row services), but every row respects the model's
constraints: one current position per official, leg places either a province
or a foreign city, return after departure, stamps after departure, and order
numbers unique per issuer and year (continuing each issuer's counter).

Run twice, it TOPS UP: officials and orders already seeded (civil-service IDs
starting with ``SC``) are counted and only the difference is added; with the
counts already reached it changes nothing.
"""

import io
import random
import time
from collections import defaultdict
from datetime import time as dtime
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from PIL import Image

from common.storage import private_storage
from ministry.models import Official, Position, PositionHolding, Province, Role, Unit
from ministry.services import organisation_load
from missions.models import (
    Basis,
    IssueCounter,
    Leg,
    LegStamp,
    Means,
    MissionOrder,
    OrderLog,
    State,
    Traveller,
)
from missions import search_names

PREFIX = "SC"
BATCH = 2000
PASSWORD = "scale-pass-2024"

GIVEN_KM = ["សុខ", "ចាន់", "សុភា", "វណ្ណា", "ដារ៉ា", "រតនា", "សុវណ្ណ", "បុប្ផា", "ស្រីមុំ", "វិចិត្រ", "ពិសិដ្ឋ", "សំណាង"]
GIVEN_LA = ["Sok", "Chan", "Sophea", "Vanna", "Dara", "Ratana", "Sovann", "Bopha", "Sreymom", "Vichet", "Piseth", "Samnang"]
FAMILY_KM = ["កែវ", "ហេង", "លី", "ម៉ៅ", "ស៊ុន", "ជា", "ឈឹម", "ទេព", "អ៊ុំ", "នូ"]
FAMILY_LA = ["Keo", "Heng", "Ly", "Mao", "Sun", "Chea", "Chhim", "Tep", "Um", "Nou"]
PURPOSES = [
    ("ចូលរួមសិក្ខាសាលាស្តីពីកំណែទម្រង់មុខងារសាធារណៈ", "Attend the workshop on civil-service reform"),
    ("ត្រួតពិនិត្យការគ្រប់គ្រងមន្ត្រីរាជការនៅថ្នាក់ក្រោមជាតិ", "Inspect civil-servant management at sub-national level"),
    ("បណ្តុះបណ្តាលមន្ត្រីស្តីពីប្រព័ន្ធគ្រប់គ្រងព័ត៌មាន", "Train officials on the information management system"),
    ("ចូលរួមកិច្ចប្រជុំអន្តរក្រសួង", "Attend an inter-ministerial meeting"),
    ("ចុះពិនិត្យការអនុវត្តច្បាប់ស្តីពីសហលក្ខន្តិកៈមន្ត្រីរាជការស៊ីវិល", "Review application of the civil-service statute"),
]
FOREIGN = [("TH", "Bangkok"), ("VN", "Hanoi"), ("SG", "Singapore"), ("JP", "Tokyo"), ("KR", "Seoul"), ("FR", "Paris")]
MEANS = [Means.MINISTRY_CAR, Means.MINISTRY_CAR, Means.BUS, Means.PLANE, Means.PRIVATE_CAR, Means.BOAT]

# Transitions that lead to each state, as (action, from, to) log rows.
PATHS = {
    State.DRAFT: [],
    State.SUBMITTED: ["submit"],
    State.APPROVED: ["submit", "approve"],
    State.REJECTED: ["submit", "reject"],
    State.CANCELLED: ["cancel"],
    State.ISSUED: ["submit", "approve", "issue"],
    State.REVOKED: ["submit", "approve", "issue", "revoke"],
    State.RETURNED: ["submit", "approve", "issue", "file_return"],
    State.SENT_BACK: ["submit", "approve", "issue", "file_return", "send_back"],
    State.ACCEPTED: ["submit", "approve", "issue", "file_return", "accept"],
}
TARGET = {"submit": State.SUBMITTED, "approve": State.APPROVED, "reject": State.REJECTED, "cancel": State.CANCELLED,
          "issue": State.ISSUED, "revoke": State.REVOKED, "file_return": State.RETURNED,
          "send_back": State.SENT_BACK, "accept": State.ACCEPTED}
ISSUED_STATES = {State.ISSUED, State.REVOKED, State.RETURNED, State.SENT_BACK, State.ACCEPTED}
# Recent requests are spread over every state; old ones have mostly finished.
RECENT_WEIGHTS = {State.DRAFT: 8, State.SUBMITTED: 12, State.APPROVED: 8, State.REJECTED: 4, State.CANCELLED: 4,
                  State.ISSUED: 25, State.REVOKED: 2, State.RETURNED: 12, State.SENT_BACK: 5, State.ACCEPTED: 20}
OLD_WEIGHTS = {State.DRAFT: 1, State.SUBMITTED: 0, State.APPROVED: 0, State.REJECTED: 6, State.CANCELLED: 6,
               State.ISSUED: 2, State.REVOKED: 2, State.RETURNED: 1, State.SENT_BACK: 1, State.ACCEPTED: 81}


class Command(BaseCommand):
    help = "Bulk-seed officials and mission orders in every state (tops up when run again)."

    def add_arguments(self, parser):
        parser.add_argument("--officials", type=int, default=10000)
        parser.add_argument("--orders", type=int, default=100000)
        parser.add_argument("--seed", type=int, default=996)

    def handle(self, *args, officials, orders, seed, **options):
        if officials < 50:
            raise CommandError("Seed at least 50 officials (heads, leaders and clerks come first).")
        self.rng = random.Random(seed)
        self.t0 = time.monotonic()
        organisation_load()
        self.positions = {p.code: p for p in Position.objects.all()}
        self.groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
        units = self._units()
        have = Official.objects.filter(civil_service_id__startswith=PREFIX).count()
        if have < officials:
            self._officials(units, have, officials - have)
        else:
            self._say(f"officials: {have} seeded already, none added")
        have_orders = MissionOrder.objects.filter(requested_by__civil_service_id__startswith=PREFIX).count()
        if have_orders < orders:
            self._orders(have_orders, orders - have_orders)
        else:
            self._say(f"orders: {have_orders} seeded already, none added")
        if connection.vendor == "postgresql":
            # Fresh bulk-loaded tables have no planner statistics nor visibility map until autovacuum
            # comes round: without them counts scan every row instead of the indexes.  (VACUUM cannot
            # run inside a transaction, e.g. in a test; ANALYZE can.)
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cur:
                cur.execute(command)
            self._say(f"statistics updated ({command})")
        self._say("done")

    def _say(self, text):
        self.stdout.write(f"[{time.monotonic() - self.t0:7.1f}s] {text}")
        self.stdout.flush()

    # --- organisation -----------------------------------------------------------
    def _units(self):
        """Departments under each general department (and offices under them), so that
        officials spread over a realistic tree; created once, reused on top-up."""
        parents = Unit.objects.filter(kind__in=[Unit.Kind.GENERAL_DEPARTMENT, Unit.Kind.INSPECTORATE, Unit.Kind.SCHOOL])
        created = 0
        for parent in parents:
            for d in range(1, 7):
                dept, new = Unit.objects.get_or_create(
                    code=f"{PREFIX}-{parent.code}-D{d}",
                    defaults={"parent": parent, "kind": Unit.Kind.DEPARTMENT,
                              "name_en": f"Department {d} of {parent.name_en}",
                              "name_km": f"នាយកដ្ឋានទី{d} នៃ{parent.name_km}"},
                )
                created += new
                for o in range(1, 4):
                    _, new = Unit.objects.get_or_create(
                        code=f"{PREFIX}-{parent.code}-D{d}-O{o}",
                        defaults={"parent": dept, "kind": Unit.Kind.OFFICE,
                                  "name_en": f"Office {o}, Department {d} of {parent.name_en}",
                                  "name_km": f"ការិយាល័យទី{o} នាយកដ្ឋានទី{d} នៃ{parent.name_km}"},
                    )
                    created += new
        self._say(f"units: {created} added, {Unit.objects.count()} in all")
        return list(Unit.objects.exclude(kind=Unit.Kind.MINISTRY).order_by("path"))

    def _officials(self, units, start, n):
        rng = self.rng
        pw = make_password(PASSWORD)
        now = timezone.now()
        pos = self.positions
        # The first officials fill the posts every unit needs: its head, then the
        # leaders and clerks; the rest are spread over the units, more in the big ones.
        plan = []  # (unit, position code, roles)
        if start == 0:
            for unit in units:
                head = {
                    Unit.Kind.GENERAL_DEPARTMENT: "director-general", Unit.Kind.CABINET: "chief-of-cabinet",
                    Unit.Kind.INSPECTORATE: "inspector-general", Unit.Kind.SCHOOL: "school-director",
                    Unit.Kind.PROCUREMENT: "head-of-procurement", Unit.Kind.PROVINCIAL: "provincial-director",
                    Unit.Kind.DEPARTMENT: "head-of-department", Unit.Kind.CENTRE: "head-of-centre",
                    Unit.Kind.OFFICE: "head-of-office",
                }[unit.kind]
                roles = ["unit_head"] + (["approver"] if pos[head].in_leadership_group else [])
                plan.append((unit, head, roles))
            for code in ("CABINET", "GDAF"):
                u = next(x for x in units if x.code == code)
                plan += [(u, "official", ["issuing_clerk"])] * 3
            gdaf = next(x for x in units if x.code == "GDAF")
            plan += [(gdaf, "official", ["returns_clerk"])] * 3
            plan += [(gdaf, "deputy-director-general", ["approver"])] * 2
        weights = [6 if u.kind in (Unit.Kind.DEPARTMENT, Unit.Kind.PROVINCIAL) else 3 if u.kind == Unit.Kind.OFFICE
                   else 2 for u in units]
        rank_and_file = ["official"] * 12 + ["deputy-head-of-office"] * 2 + ["deputy-head-of-department"]
        while len(plan) < n:
            plan.append((rng.choices(units, weights)[0], rng.choice(rank_and_file), []))
        plan = plan[:n]

        made = 0
        for b in range(0, n, BATCH):
            chunk = plan[b : b + BATCH]
            with transaction.atomic():
                users = [User(username=f"sc{start + b + i + 1:06d}", password=pw, date_joined=now, is_active=True)
                         for i in range(len(chunk))]
                users = User.objects.bulk_create(users)
                if users[0].pk is None:  # backends that do not return ids
                    by_name = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk"))
                    for u in users:
                        u.pk = by_name[u.username]
                memberships = []
                people = []
                for i, ((unit, pcode, roles), user) in enumerate(zip(chunk, users)):
                    k = start + b + i + 1
                    for role in ("official", *roles):
                        memberships.append(User.groups.through(user_id=user.pk, group_id=self.groups[role].pk))
                    g = rng.randrange(len(GIVEN_KM))
                    f = rng.randrange(len(FAMILY_KM))
                    female = rng.random() < 0.4
                    people.append(Official(
                        honorific=("lok_srey" if female else "lok") if not pos[pcode].in_leadership_group else "excellency",
                        name_km=f"{FAMILY_KM[f]} {GIVEN_KM[g]}", name_latin=f"{FAMILY_LA[f]} {GIVEN_LA[g]} {k}",
                        gender="f" if female else "m", civil_service_id=f"{PREFIX}{k:08d}", unit=unit,
                        position=pos[pcode], phone=f"012{k:06d}"[-9:], user=user,
                    ))
                User.groups.through.objects.bulk_create(memberships)
                people = Official.objects.bulk_create(people)
                if people[0].pk is None:
                    by_id = dict(Official.objects.filter(civil_service_id__in=[p.civil_service_id for p in people])
                                 .values_list("civil_service_id", "pk"))
                    for p in people:
                        p.pk = by_id[p.civil_service_id]
                PositionHolding.objects.bulk_create([
                    PositionHolding(official=p, position=p.position, unit=p.unit,
                                    started_on=date(2015, 1, 1) + timedelta(days=rng.randrange(3000)))
                    for p in people
                ])
            made += len(chunk)
            self._say(f"officials: {made}/{n}")

    # --- orders -------------------------------------------------------------------
    def _orders(self, start, n):
        rng = self.rng
        today = timezone.localdate()
        tz = timezone.get_current_timezone()
        people = list(Official.objects.filter(civil_service_id__startswith=PREFIX, active=True)
                      .values_list("pk", "unit_id", "position__title_km", "position__title_en", "name_km", "name_latin"))
        by_unit = defaultdict(list)
        for p in people:
            by_unit[p[1]].append(p)
        unit_names = dict((u.pk, (u.name_km, u.name_en)) for u in Unit.objects.all())
        unit_path = dict(Unit.objects.values_list("pk", "path"))
        approvers = list(Official.objects.filter(civil_service_id__startswith=PREFIX, position__in_leadership_group=True,
                                                 user__groups__name=Role.APPROVER).values_list("pk", "unit_id", "user_id"))
        if not approvers:
            raise CommandError("No leaders with the approver role: seed more officials.")
        # The leader who approves is the one over the requester's unit when there is one.
        approver_by_path = {unit_path[a[1]]: a for a in approvers}
        issuers = {u.code: u for u in Unit.objects.filter(code__in=["CABINET", "GDAF"])}
        clerks = dict(User.objects.filter(groups__name=Role.ISSUING_CLERK, official__unit__code__in=issuers)
                      .values_list("official__unit__code", "pk"))
        returns_clerk = User.objects.filter(groups__name=Role.RETURNS_CLERK).values_list("pk", flat=True).first()
        signers = {code: Official.objects.filter(unit=u, position__heads_unit=True).order_by("position__rank", "id")
                   .values_list("pk", flat=True).first() for code, u in issuers.items()}
        counters = {(c.issuing_unit_id, c.year): c for c in IssueCounter.objects.all()}
        provinces = list(Province.objects.values_list("pk", flat=True))
        capital = Province.objects.filter(kind=Province.Kind.CAPITAL).values_list("pk", flat=True).first()
        states = list(RECENT_WEIGHTS)
        recent_w = [RECENT_WEIGHTS[s] for s in states]
        old_w = [OLD_WEIGHTS[s] for s in states]
        overdue_cutoff = today - timedelta(days=7)
        scan_name = private_storage.save("legstamp/seed/stamp.png", ContentFile(_tiny_png()))

        made = 0
        for b in range(0, n, BATCH):
            size = min(BATCH, n - b)
            rows = []
            for _ in range(size):
                req = rng.choice(people)
                age = int(rng.expovariate(1 / 200)) % 730  # days since the request was made
                state = rng.choices(states, recent_w if age < 60 else old_w)[0]
                created = datetime.combine(today - timedelta(days=age), dtime(8 + rng.randrange(9), rng.randrange(60)),
                                           tzinfo=tz)
                depart = created.date() + timedelta(days=rng.randrange(3, 30))
                back = depart + timedelta(days=rng.randrange(0, 6))
                path = unit_path[req[1]]
                leader = next((approver_by_path[p] for p in _ancestors(path)
                               if p in approver_by_path and approver_by_path[p][0] != req[0]), None)
                while leader is None or leader[0] == req[0]:  # nobody approves their own request
                    leader = rng.choice(approvers)
                issuer = "GDAF" if rng.random() < 0.7 else "CABINET"
                basis = Basis.INVITATION if rng.random() < 0.6 else Basis.APPROVAL
                pk, pe = rng.choice(PURPOSES)
                o = MissionOrder(
                    state=state, issuing_unit=issuers[issuer], requesting_unit_id=req[1], requested_by_id=req[0],
                    purpose_km=pk, purpose_en=pe, basis=basis, approver_id=leader[0],
                    departure_date=depart, return_date=back, created=created,
                )
                if basis == Basis.INVITATION:
                    o.invitation_sender = "សាលាខេត្ត"
                    o.invitation_number = f"{rng.randrange(1, 999)} ស.ខ.ស"
                    o.invitation_date = created.date() - timedelta(days=rng.randrange(1, 20))
                else:
                    o.approval_leader_id = leader[0]
                    o.approval_date = created.date() - timedelta(days=rng.randrange(1, 10))
                steps = PATHS[state]
                moments = [created + timedelta(hours=6 * (i + 1)) for i in range(len(steps))]
                if "approve" in steps:
                    o.approved_by_id = leader[0]
                if "issue" in steps:
                    o.issued_at = moments[steps.index("issue")]
                    o.year = timezone.localtime(o.issued_at).year
                    o.signer_id = signers[issuer]
                if "file_return" in steps:
                    back_at = datetime.combine(back + timedelta(days=rng.randrange(1, 8)), dtime(10), tzinfo=tz)
                    o.returned_at = back_at
                    # the return and what follows happen after the mission
                    i = steps.index("file_return")
                    for j in range(i, len(steps)):
                        moments[j] = back_at + timedelta(hours=6 * (j - i))
                    o.report_text = "លទ្ធផលការងារបានសម្រេចតាមផែនការ"
                if state in (State.REJECTED, State.REVOKED, State.SENT_BACK):
                    o.reason = "ខ្វះឯកសារភ្ជាប់"
                if state in (State.ISSUED, State.SENT_BACK) and back < overdue_cutoff:
                    o.overdue_since = back + timedelta(days=8)
                travellers = [req] + rng.sample([p for p in by_unit[req[1]] if p[0] != req[0]],
                                                k=min(rng.choice([0, 0, 1, 1, 2]), len(by_unit[req[1]]) - 1))
                # The names the search reads (missions/search_names.py; bulk inserts send no signals).
                o.traveller_names_km = search_names.SEPARATOR.join(p[4] for p in travellers)
                o.traveller_names_latin = search_names.SEPARATOR.join(p[5] for p in travellers)
                leg_count = rng.choice([1, 2, 2, 3])
                rows.append((o, steps, moments, travellers, leg_count, issuer))
            self._write_batch(rows, rng, counters, clerks, returns_clerk, provinces, capital, unit_names, scan_name)
            made += size
            self._say(f"orders: {made}/{n}")

    @transaction.atomic
    def _write_batch(self, rows, rng, counters, clerks, returns_clerk, provinces, capital, unit_names, scan_name):
        # Numbers: each issuer's counter per year, in the order of issue.
        numbered = sorted((r for r in rows if r[0].issued_at), key=lambda r: r[0].issued_at)
        for r in numbered:
            o = r[0]
            key = (o.issuing_unit.pk, o.year)
            c = counters.get(key)
            if c is None:
                c, _ = IssueCounter.objects.get_or_create(issuing_unit_id=key[0], year=key[1])
                counters[key] = c
            c.last += 1
            o.number = c.last
        IssueCounter.objects.bulk_update([c for c in counters.values()], ["last"])
        orders = MissionOrder.objects.bulk_create([r[0] for r in rows])
        if orders[0].pk is None:
            tokens = [o.verification_token for o in orders]
            ids = dict(MissionOrder.objects.filter(verification_token__in=tokens).values_list("verification_token", "pk"))
            for o in orders:
                o.pk = ids[o.verification_token]
        travellers, legs, logs = [], [], []
        for o, steps, moments, people, leg_count, issuer in rows:
            for i, p in enumerate(people):
                km, en = unit_names[p[1]]
                travellers.append(Traveller(order=o, official_id=p[0], is_head=i == 0, sort=i, position_km=p[2],
                                            position_en=p[3], unit_km=km, unit_en=en))
            here, prev_foreign = capital, None
            for seq in range(1, leg_count + 1):
                last = seq == leg_count and leg_count > 1
                when = o.return_date if last else o.departure_date
                leg = Leg(order=o, seq=seq, travel_date=when, means=rng.choice(MEANS), from_province_id=here)
                if last:
                    leg.to_province_id = capital
                elif rng.random() < 0.1:
                    leg.to_country, leg.to_city = rng.choice(FOREIGN)
                else:
                    leg.to_province_id = rng.choice(provinces)
                if here is None:  # came from abroad
                    leg.from_province_id = None
                    leg.from_country, leg.from_city = prev_foreign
                prev_foreign = (leg.to_country, leg.to_city)
                here = leg.to_province_id
                legs.append(leg)
            prev = State.DRAFT
            logs.append(OrderLog(order=o, created=o.created, action="created", to_state=State.DRAFT,
                                 actor_id=None))
            for step, when in zip(steps, moments):
                actor = {"issue": clerks.get(issuer), "revoke": clerks.get(issuer), "send_back": returns_clerk,
                         "accept": returns_clerk}.get(step)
                target = TARGET[step]
                logs.append(OrderLog(order=o, created=when, action=step, from_state=prev, to_state=target,
                                     actor_id=actor, note=o.reason if step in ("reject", "revoke", "send_back") else ""))
                prev = target
            if o.overdue_since:
                logs.append(OrderLog(order=o, created=datetime.combine(o.overdue_since, dtime(1), tzinfo=o.created.tzinfo),
                                     action="overdue", note=str(o.overdue_since)))
        Traveller.objects.bulk_create(travellers, batch_size=BATCH)
        Leg.objects.bulk_create(legs, batch_size=BATCH)
        OrderLog.objects.bulk_create(logs, batch_size=BATCH)
        if travellers[0].pk is None or legs[0].pk is None:
            ids = [o.pk for o in orders]
            travellers = list(Traveller.objects.filter(order_id__in=ids))
            legs = list(Leg.objects.filter(order_id__in=ids))
        # Stamps for the orders whose return was filed: every traveller, every leg.
        filed = {o.pk: o for o in orders if o.returned_at}
        legs_of = defaultdict(list)
        for leg in legs:
            if leg.order_id in filed:
                legs_of[leg.order_id].append(leg)
        stamps = [
            LegStamp(traveller=t, leg=leg, departed_on=leg.travel_date, arrived_on=leg.travel_date, scan=scan_name,
                     scan_type="image/png", recorded_at=filed[t.order_id].returned_at)
            for t in travellers if t.order_id in filed for leg in legs_of[t.order_id]
        ]
        LegStamp.objects.bulk_create(stamps, batch_size=BATCH)


def _ancestors(path):
    """'/1/5/9/' -> '/1/5/9/', '/1/5/', '/1/' (nearest first)."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) + "/" for i in range(len(parts), 0, -1)]


def _tiny_png():
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 30, 160)).save(buf, "PNG")
    return buf.getvalue()
