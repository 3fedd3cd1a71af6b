"""Test data: a cast of users per role and unit, and orders driven to any state by the services."""

import io
from datetime import date, timedelta
from itertools import count

from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ministry.models import Official, Position, Province, Unit
from ministry.services import official_ensure_holding, organisation_load

_seq = count(1)
PASSWORD = "test-pass-9431"


def make_unit(code, parent_code, kind="department", name_en=None):
    parent = Unit.objects.get(code=parent_code)
    unit, _ = Unit.objects.get_or_create(
        code=code, defaults={"parent": parent, "kind": kind, "name_en": name_en or code, "name_km": f"នាយកដ្ឋាន{code}"}
    )
    return unit


def make_official(unit, position="official", roles=(), username=None, gender="m", login=True):
    n = next(_seq)
    user = None
    if login:
        user = User.objects.create_user(username=username or f"user{n}", password=PASSWORD)
        for role in ("official", *roles):
            user.groups.add(Group.objects.get(name=role))
        if "administrator" in roles:
            user.is_staff = user.is_superuser = True
            user.save()
    official = Official.objects.create(
        honorific="lok" if gender == "m" else "lok_srey",
        name_km=f"សុខ សុភា{n}",
        name_latin=f"Sok Sophea {n}",
        gender=gender,
        civil_service_id=f"T{n:06d}",
        unit=unit if isinstance(unit, Unit) else Unit.objects.get(code=unit),
        position=Position.objects.get(code=position),
        user=user,
    )
    official_ensure_holding(official)
    return official


class Cast:
    """Everyone a test needs, by role and unit, placed as in the Ministry.

    unit_a and unit_b are departments of two different general departments.  The clerks sit in offices
    under GDAF and the Cabinet (never in GDAF or the Cabinet itself); most officials have no login
    (``no_login``, ``minister``); ``tg_leader`` approves from Telegram only (no password, no e-mail)."""

    def __init__(self):
        organisation_load()
        self.unit_a = make_unit("DEPT-A", "GDPOLICY", name_en="Department A")
        self.unit_a_office = make_unit("OFFICE-A1", "DEPT-A", kind="office", name_en="Office A1")
        self.unit_b = make_unit("DEPT-B", "GDSERVICE", name_en="Department B")
        self.gdaf_admin = make_unit("GDAF-ADMIN", "GDAF", name_en="Department of Administration")
        self.gdaf_issue_office = make_unit("GDAF-ISSUE", "GDAF-ADMIN", kind="office", name_en="Office of Orders")
        self.gdaf_returns_office = make_unit("GDAF-RETURNS", "GDAF-ADMIN", kind="office", name_en="Office of Returns")
        self.cabinet_office = make_unit("CAB-ADMIN", "CABINET", kind="office", name_en="Cabinet Office")
        self.official = make_official(self.unit_a, username="official_a")
        self.colleague = make_official(self.unit_a, username="colleague_a", gender="f")
        self.office_official = make_official(self.unit_a_office, username="office_a1")
        self.head = make_official(self.unit_a, "head-of-department", roles=["unit_head", "approver"], username="head_a")
        self.other = make_official(self.unit_b, username="official_b")
        self.other_head = make_official(self.unit_b, "head-of-department", roles=["unit_head"], username="head_b")
        self.leader = make_official("GDPOLICY", "director-general", roles=["approver", "unit_head"], username="leader")
        self.leader2 = make_official("GDSERVICE", "director-general", roles=["approver", "unit_head"], username="leader2")
        self.cabinet_clerk = make_official(self.cabinet_office, roles=["issuing_clerk"], username="cabinet_clerk")
        self.gdaf_clerk = make_official(self.gdaf_issue_office, roles=["issuing_clerk"], username="gdaf_clerk")
        self.returns_clerk = make_official(self.gdaf_returns_office, roles=["returns_clerk"], username="returns_clerk")
        self.gdaf_head = make_official("GDAF", "director-general", roles=["approver"], username="gdaf_dg")
        self.admin = make_official("MCS", roles=["administrator"], username="admin")
        self.no_login = make_official(self.unit_a, login=False)
        self.minister = make_official("MCS", "minister", login=False)
        self.tg_leader = make_official("GDSERVICE", "deputy-director-general", roles=["approver"], username="tg_leader")
        self.tg_leader.user.set_unusable_password()
        self.tg_leader.user.save()
        from groups.models import TelegramAccount

        TelegramAccount.objects.create(official=self.tg_leader, telegram_user_id=7_000_001, chat_id=7_000_001)
        self.cabinet = Unit.objects.get(code="CABINET")
        self.gdaf = Unit.objects.get(code="GDAF")

    def user(self, name):
        return getattr(self, name).user


def png_bytes(size=(40, 30), color=(200, 30, 30)):
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes(size=(40, 30)):
    buf = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()


def pdf_bytes():
    from pypdf import PdfWriter

    buf = io.BytesIO()
    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    w.write(buf)
    return buf.getvalue()


def upload(name="stamp.png", data=None, content_type="image/png"):
    return SimpleUploadedFile(name, png_bytes() if data is None else data, content_type=content_type)


def order_input(cast, *, travellers=None, start=None, days=3, issuer=None, basis="invitation", legs=2, approver=None):
    from missions.models import Means
    from missions.services import LegInput, OrderInput

    start = start or (date.today() + timedelta(days=10))
    end = start + timedelta(days=days)
    asked = min(start, date.today())  # the basis is dated before the request (B.2)
    pp = Province.objects.get(code="KH-12")
    sr = Province.objects.get(code="KH-17")
    bb = Province.objects.get(code="KH-2")
    route = [(pp, sr), (sr, bb), (bb, pp)][:legs]
    return OrderInput(
        issuing_unit=issuer or cast.gdaf,
        purpose_km="ចូលរួមសិក្ខាសាលាស្តីពីកំណែទម្រង់មុខងារសាធារណៈ",
        purpose_en="Attend the workshop on civil-service reform",
        departure_date=start,
        return_date=end,
        basis=basis,
        approver=approver or cast.leader,
        travellers=travellers or [cast.official, cast.colleague],
        legs=[
            LegInput(travel_date=start if i == 0 else end, means=Means.MINISTRY_CAR, from_province=a, to_province=b)
            for i, (a, b) in enumerate(route)
        ],
        invitation_sender="សាលាខេត្តសៀមរាប",
        invitation_number="១២៣ ស.ខ.ស",
        invitation_date=asked - timedelta(days=20),
        invitation_scan=upload("letter.pdf", pdf_bytes(), "application/pdf") if basis == "invitation" else None,
        approval_leader=cast.leader2 if basis == "approval" else None,
        approval_date=asked - timedelta(days=5) if basis == "approval" else None,
        approval_scan=upload("approval.pdf", pdf_bytes(), "application/pdf") if basis == "approval" else None,
    )


STATE_PATH = {
    "draft": [],
    "submitted": ["submit"],
    "approved": ["submit", "approve"],
    "rejected": ["submit", "reject"],
    "cancelled": ["cancel"],
    "issued": ["submit", "approve", "issue"],
    "revoked": ["submit", "approve", "issue", "revoke"],
    "returned": ["submit", "approve", "issue", "stamps", "return"],
    "sent_back": ["submit", "approve", "issue", "stamps", "return", "send_back"],
    "accepted": ["submit", "approve", "issue", "stamps", "return", "accept"],
}


def make_order(cast, state="draft", **kwargs):
    """Create an order and drive it through the real services to ``state``.  An order that goes as far as
    issued is made in the past, ready for its return (stamps are dated within the mission, never in the future)."""
    from missions import services as s

    if "issue" in STATE_PATH[state] and kwargs.get("start") is None:
        kwargs["start"] = date.today() - timedelta(days=kwargs.get("days", 3) + 7)

    order = s.order_create(by=cast.official.user, data=order_input(cast, **kwargs))
    clerk = cast.gdaf_clerk if order.issuing_unit == cast.gdaf else cast.cabinet_clerk
    for step in STATE_PATH[state]:
        if step == "submit":
            order = s.order_submit(order=order, by=cast.official.user)
        elif step == "approve":
            order = s.order_approve(order=order, by=order.approver.user)
        elif step == "reject":
            order = s.order_reject(order=order, by=order.approver.user, reason="មិនចាំបាច់")
        elif step == "cancel":
            order = s.order_cancel(order=order, by=cast.official.user)
        elif step == "issue":
            order = s.order_issue(order=order, by=clerk.user)
        elif step == "revoke":
            order = s.order_revoke(order=order, by=clerk.user, reason="បេសកកម្មត្រូវបានលុបចោល")
        elif step == "stamps":
            for t in order.travellers.all():
                for leg in order.legs.all():
                    s.stamp_record(order=order, leg=leg, by=t.official.user, departed_on=leg.travel_date,
                                   arrived_on=leg.travel_date, scan=upload())
            s.report_save(order=order, by=cast.official.user, text="លទ្ធផលការងារបានសម្រេច")
        elif step == "return":
            order = s.order_file_return(order=order, by=cast.official.user)
        elif step == "send_back":
            order = s.order_send_back(order=order, by=cast.returns_clerk.user, reason="ខ្វះត្រា")
        elif step == "accept":
            order = s.order_accept(order=order, by=cast.returns_clerk.user)
    return order
