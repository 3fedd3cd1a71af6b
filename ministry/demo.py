"""Demo people for the Ministry's real organisation: a holder for each leadership position,
a director for each of the 25 provincial departments, about 200 officials, and a login per role."""

import random

from django.contrib.auth.models import Group, User
from django.db import transaction

from .models import Honorific, Official, Position, PositionHolding, Role, Unit
from .services import official_ensure_holding, organisation_load

FAMILY = [("សុខ", "Sok"), ("ចាន់", "Chan"), ("ហេង", "Heng"), ("លី", "Ly"), ("គឹម", "Kim"), ("ស៊ុន", "Sun"),
          ("ម៉ៅ", "Mao"), ("ឈឹម", "Chhim"), ("ទេព", "Tep"), ("ពៅ", "Pov"), ("នូ", "Nou"), ("កែវ", "Keo"),
          ("ជា", "Chea"), ("ប៉ែន", "Pen"), ("យឹម", "Yim"), ("អ៊ុំ", "Um"), ("សេង", "Seng"), ("ឡុង", "Long"),
          ("ស៊ាន", "Sean"), ("ឃឹម", "Khim"), ("ណុប", "Nob"), ("ប៊ុន", "Bun"), ("ព្រំ", "Prom"), ("ហ៊ាង", "Hang")]
MALE = [("ដារ៉ា", "Dara"), ("វិបុល", "Vibol"), ("រតនា", "Ratana"), ("សំណាង", "Samnang"), ("វណ្ណៈ", "Vannak"),
        ("ពិសិដ្ឋ", "Piseth"), ("សុខា", "Sokha"), ("ចំរើន", "Chamroeun"), ("ភារ៉ា", "Phara"), ("វិសាល", "Visal"),
        ("រិទ្ធី", "Rithy"), ("សុវណ្ណ", "Sovann"), ("ធារ៉ា", "Theara"), ("បូរ៉ា", "Bora"), ("សុផល", "Sophal"),
        ("ចន្ទា", "Chanda"), ("មករា", "Makara"), ("វុទ្ធី", "Vuthy")]
FEMALE = [("សុភ័ក្ត្រ", "Sopheak"), ("ចាន់ថា", "Chantha"), ("ស្រីមុំ", "Sreymom"), ("បុប្ផា", "Bopha"),
          ("ស្រីលក្ខណ៍", "Sreyleak"), ("ម៉ាលីស", "Malis"), ("ធីតា", "Thida"), ("សុគន្ធា", "Sokunthea"),
          ("ចរិយា", "Chariya"), ("រស្មី", "Rasmey"), ("សុធា", "Sotheary"), ("ពិសី", "Pisey")]

DEPARTMENTS = [
    ("DEPT-PERSONNEL", "GDPOLICY", "department", "Department of Personnel", "នាយកដ្ឋានបុគ្គលិក"),
    ("DEPT-POLICY", "GDPOLICY", "department", "Department of Civil Service Policy", "នាយកដ្ឋាននយោបាយមុខងារសាធារណៈ"),
    ("DEPT-STATUTE", "GDPOLICY", "department", "Department of Statutes", "នាយកដ្ឋានលក្ខន្តិកៈ"),
    ("DEPT-SERVICE", "GDSERVICE", "department", "Department of Public Service Quality", "នាយកដ្ឋានគុណភាពសេវាសាធារណៈ"),
    ("DEPT-OWSC", "GDSERVICE", "department", "Department of One-Window Services", "នាយកដ្ឋានច្រកចេញចូលតែមួយ"),
    ("DEPT-ADMIN", "GDAF", "department", "Department of Administration", "នាយកដ្ឋានរដ្ឋបាល"),
    ("DEPT-FINANCE", "GDAF", "department", "Department of Finance", "នាយកដ្ឋានហិរញ្ញវត្ថុ"),
    ("DEPT-IT", "GDAF", "department", "Department of Information Technology", "នាយកដ្ឋានព័ត៌មានវិទ្យា"),
    ("DEPT-INSPECTION", "INSPECTORATE", "department", "Department of Inspection", "នាយកដ្ឋានអធិការកិច្ច"),
    ("CENTRE-TRAINING", "RSA", "centre", "Training Centre", "មជ្ឈមណ្ឌលបណ្តុះបណ្តាល"),
    ("CENTRE-DATA", "GDPOLICY", "centre", "Civil Service Data Centre", "មជ្ឈមណ្ឌលទិន្នន័យមុខងារសាធារណៈ"),
    ("OFFICE-RECRUIT", "DEPT-PERSONNEL", "office", "Recruitment Office", "ការិយាល័យជ្រើសរើស"),
    ("OFFICE-CAREER", "DEPT-PERSONNEL", "office", "Career Management Office", "ការិយាល័យគ្រប់គ្រងអាជីព"),
    ("OFFICE-MISSIONS", "DEPT-ADMIN", "office", "Mission Orders Office", "ការិយាល័យលិខិតបញ្ជាបេសកកម្ម"),
    ("OFFICE-RETURNS", "DEPT-ADMIN", "office", "Mission Returns Office", "ការិយាល័យឯកសារប្រគល់ត្រឡប់"),
    ("OFFICE-CABINET-ADMIN", "CABINET", "office", "Cabinet Administration Office", "ការិយាល័យរដ្ឋបាលខុទ្ទកាល័យ"),
]

# (position code, unit code) — one holder each; every position of A.1 is held.
LEADERS = [
    ("minister", "MCS"), ("secretary-of-state", "MCS"), ("secretary-of-state", "MCS"),
    ("under-secretary-of-state", "MCS"), ("chief-of-cabinet", "CABINET"), ("deputy-chief-of-cabinet", "CABINET"),
    ("director-general", "GDPOLICY"), ("director-general", "GDSERVICE"), ("director-general", "GDAF"),
    ("deputy-director-general", "GDPOLICY"), ("deputy-director-general", "GDAF"),
    ("inspector-general", "INSPECTORATE"), ("deputy-inspector-general", "INSPECTORATE"),
    ("school-director", "RSA"), ("school-deputy-director", "RSA"), ("inspector", "INSPECTORATE"),
    ("head-of-department", "DEPT-POLICY"), ("head-of-department", "DEPT-STATUTE"),
    ("head-of-department", "DEPT-SERVICE"), ("head-of-department", "DEPT-OWSC"), ("head-of-department", "DEPT-ADMIN"),
    ("head-of-department", "DEPT-FINANCE"), ("head-of-department", "DEPT-IT"), ("head-of-department", "DEPT-INSPECTION"),
    ("head-of-centre", "CENTRE-TRAINING"), ("head-of-centre", "CENTRE-DATA"), ("head-of-procurement", "PROCUREMENT"),
]

# The demo logins: username -> (roles, position, unit, gender)
LOGINS = {
    "official": (["official"], "official", "DEPT-PERSONNEL", "f"),
    "head": (["official", "unit_head", "approver"], "head-of-department", "DEPT-PERSONNEL", "m"),
    "leader": (["official", "approver", "unit_head"], "director-general", "GDPOLICY", "m"),
    # The clerks sit in offices under the Cabinet and GDAF, as in the Ministry.
    "cabinet": (["official", "issuing_clerk"], "official", "OFFICE-CABINET-ADMIN", "f"),
    "gdaf": (["official", "issuing_clerk"], "official", "OFFICE-MISSIONS", "m"),
    "returns": (["official", "returns_clerk"], "official", "OFFICE-RETURNS", "f"),
    "admin": (["official", "administrator"], "head-of-office", "DEPT-IT", "m"),
}
DEMO_PASSWORD_SUFFIX = "-demo-2026"


def _name(rng, gender):
    fam_km, fam_en = rng.choice(FAMILY)
    giv_km, giv_en = rng.choice(MALE if gender == "m" else FEMALE)
    return f"{fam_km} {giv_km}", f"{fam_en} {giv_en}"


def _honorific(position, gender, married):
    if position.rank <= 3:
        return Honorific.EXCELLENCY if gender == "m" else Honorific.LOK_CHUMTEAV
    if gender == "m":
        return Honorific.LOK
    return Honorific.LOK_SREY if married else Honorific.NEAK_NEANG_KANHA


class _People:
    def __init__(self, seed=996):
        self.rng = random.Random(seed)
        self.n = Official.objects.filter(civil_service_id__startswith="D").count()
        self.positions = {p.code: p for p in Position.objects.all()}

    def add(self, position_code, unit, gender=None, key=None):
        position = self.positions[position_code]
        gender = gender or self.rng.choice("mf")
        name_km, name_latin = _name(self.rng, gender)
        self.n += 1
        cs_id = key or f"D{self.n:06d}"
        official, created = Official.objects.get_or_create(
            civil_service_id=cs_id,
            defaults={
                "honorific": _honorific(position, gender, self.rng.random() < 0.6),
                "name_km": name_km,
                "name_latin": name_latin,
                "gender": gender,
                "unit": unit,
                "position": position,
                "phone": f"0{self.rng.randint(10, 99)} {self.rng.randint(100, 999)} {self.rng.randint(100, 999)}",
            },
        )
        if created:
            official_ensure_holding(official)
        return official


@transaction.atomic
def load_people(stdout=None) -> dict:
    """Idempotent: a second run finds everything and changes nothing but the demo passwords."""
    organisation_load()
    units = {u.code: u for u in Unit.objects.all()}
    for code, parent, kind, name_en, name_km in DEPARTMENTS:
        unit, _ = Unit.objects.update_or_create(
            code=code, defaults={"parent": units[parent], "kind": kind, "name_en": name_en, "name_km": name_km}
        )
        units[code] = unit
    already = Official.objects.filter(civil_service_id__startswith="D").exists()
    people = _People()
    logins = {}
    for username, (roles, position, unit_code, gender) in LOGINS.items():
        official = people.add(position, units[unit_code], gender=gender, key=f"DEMO-{username}")
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(username + DEMO_PASSWORD_SUFFIX)
        user.is_staff = bool(set(roles) & {"approver", "issuing_clerk", "returns_clerk", "administrator"})
        user.is_superuser = "administrator" in roles
        user.first_name, user.last_name = official.name_latin.split(" ", 1)
        user.save()
        user.groups.set(Group.objects.filter(name__in=roles))
        if official.user_id != user.pk:
            Official.objects.filter(user=user).exclude(pk=official.pk).update(user=None)
            official.user = user
            official.save(update_fields=["user"])
        logins[username] = (official, roles)
    if not already:
        for position, unit_code in LEADERS:
            people.add(position, units[unit_code])
        for unit in Unit.objects.filter(kind=Unit.Kind.PROVINCIAL):
            people.add("provincial-director", unit)
            for _ in range(3):
                people.add(people.rng.choice(["official", "official", "head-of-office"]), unit)
        workers = [u for u in units.values() if u.kind in ("department", "centre", "office", "cabinet")]
        workers.append(units["GDAF"])
        while Official.objects.count() < 205:
            people.add(people.rng.choice(["official"] * 5 + ["deputy-head-of-office", "head-of-office",
                                                             "deputy-head-of-department"]),
                       people.rng.choice(workers))
    return {
        "officials": Official.objects.count(),
        "units": Unit.objects.count(),
        "leaders": Official.objects.filter(position__in_leadership_group=True, active=True).count(),
        "holdings": PositionHolding.objects.count(),
        "logins": {u: (o, r) for u, (o, r) in logins.items()},
    }


def role_label(code):
    return Role(code).label
