"""Demo orders in every state, made through the real services (so numbers, logs and
events are real), including returns that are overdue."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from ministry.models import Official, Province, Unit

from . import services as s
from .models import Basis, Means, MissionOrder, State

PURPOSES = [
    ("ចូលរួមសិក្ខាសាលាស្តីពីកំណែទម្រង់មុខងារសាធារណៈ", "Attend the workshop on civil-service reform"),
    ("ត្រួតពិនិត្យការអនុវត្តច្រកចេញចូលតែមួយ", "Review the one-window service offices"),
    ("ផ្សព្វផ្សាយគោលនយោបាយជាតិស្តីពីមុខងារសាធារណៈ", "Present the national civil-service policy"),
    ("សហការរៀបចំការប្រឡងជ្រើសរើសមន្ត្រីរាជការ", "Help organise the civil-service entrance examination"),
    ("ចូលរួមកិច្ចប្រជុំអាស៊ានស្តីពីមុខងារសាធារណៈ", "Attend the ASEAN meeting on civil service"),
]


def _letter_scan(text):
    img = Image.new("RGB", (420, 594), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for y in range(120, 520, 24):
        draw.line((40, y, 380, y), fill=(180, 180, 180), width=2)
    draw.text((40, 60), text, fill=(20, 20, 20))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return SimpleUploadedFile("letter.jpg", buf.getvalue(), content_type="image/jpeg")


def _stamp_image(text):
    img = Image.new("RGB", (480, 320), (250, 248, 240))
    draw = ImageDraw.Draw(img)
    draw.ellipse((140, 60, 340, 260), outline=(30, 60, 160), width=6)
    draw.text((170, 150), text, fill=(30, 60, 160))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return SimpleUploadedFile("stamp.jpg", buf.getvalue(), content_type="image/jpeg")


# (state to reach, days from today to departure, length, issuer, basis)
PLAN = [  # date ranges never overlap, so the clash check lets each one through
    ("draft", 20, 2, "GDAF", Basis.INVITATION),
    ("submitted", 15, 2, "GDAF", Basis.INVITATION),
    ("submitted", 25, 1, "CABINET", Basis.APPROVAL),
    ("approved", 11, 2, "GDAF", Basis.APPROVAL),
    ("approved", 30, 2, "CABINET", Basis.INVITATION),
    ("rejected", 18, 1, "GDAF", Basis.INVITATION),
    ("cancelled", 22, 2, "GDAF", Basis.INVITATION),
    ("issued", 5, 3, "GDAF", Basis.INVITATION),
    ("issued", -4, 2, "CABINET", Basis.APPROVAL),
    ("issued", -30, 3, "GDAF", Basis.INVITATION),  # overdue
    ("issued", -45, 2, "CABINET", Basis.INVITATION),  # overdue
    ("revoked", 9, 1, "GDAF", Basis.INVITATION),
    ("returned", -20, 2, "GDAF", Basis.INVITATION),
    ("sent_back", -26, 2, "GDAF", Basis.APPROVAL),
    ("accepted", -60, 3, "GDAF", Basis.INVITATION),
    ("accepted", -90, 1, "CABINET", Basis.INVITATION),
]


def load_orders(logins) -> dict:
    """``logins``: username -> (official, roles) from ministry.demo. Idempotent: skips when orders exist."""
    if MissionOrder.objects.exists():
        return {"orders": MissionOrder.objects.count(), "created": 0}
    me = logins["official"][0]
    head = logins["head"][0]
    leader = logins["leader"][0]
    clerks = {"GDAF": logins["gdaf"][0], "CABINET": logins["cabinet"][0]}
    returns = logins["returns"][0]
    colleagues = list(Official.objects.filter(unit=me.unit, active=True).exclude(pk__in=[me.pk, head.pk])[:6])
    without_login = [o for o in colleagues if o.user_id is None] or colleagues
    provinces = list(Province.objects.all())
    today = timezone.localdate()
    created = 0
    for i, (state, offset, length, issuer, basis) in enumerate(PLAN):
        start = today + timedelta(days=offset)
        end = start + timedelta(days=length)
        a, b = provinces[(i * 3 + 1) % len(provinces)], provinces[(i * 5 + 2) % len(provinces)]
        home = Province.objects.get(code="KH-12")
        legs = [
            s.LegInput(travel_date=start, means=Means.MINISTRY_CAR, from_province=home, to_province=a),
            s.LegInput(travel_date=end, means=Means.MINISTRY_CAR, from_province=a, to_province=home),
        ]
        if i == 4:  # a mission abroad
            legs = [
                s.LegInput(travel_date=start, means=Means.PLANE, from_province=home, to_country="TH", to_city="Bangkok"),
                s.LegInput(travel_date=end, means=Means.PLANE, from_country="TH", from_city="Bangkok", to_province=home),
            ]
        elif length >= 3 and a != b:
            legs.insert(1, s.LegInput(travel_date=start + timedelta(days=1), means=Means.BUS, from_province=a,
                                      to_province=b))
            legs[-1].from_province = b
        if state in ("returned", "sent_back", "accepted", "issued"):
            # A delegation whose second member has no login: the head of delegation records everyone's stamps.
            travellers = [me, without_login[i % len(without_login)]] if i % 2 or state != "issued" else [me]
        else:
            travellers = [me, colleagues[i % len(colleagues)]] if i % 3 else [me]
        purpose_km, purpose_en = PURPOSES[i % len(PURPOSES)]
        data = s.OrderInput(
            issuing_unit=Unit.objects.get(code=issuer),
            purpose_km=purpose_km,
            purpose_en=purpose_en,
            departure_date=start,
            return_date=end,
            basis=basis,
            approver=leader,
            travellers=travellers,
            legs=legs,
            invitation_sender="រដ្ឋបាលខេត្ត" + a.name_km,
            invitation_number=f"{100 + i} ស.ជ.ណ",
            invitation_date=min(start, today) - timedelta(days=14),
            invitation_scan=_letter_scan(f"{100 + i}") if basis == Basis.INVITATION else None,
            approval_leader=leader if basis == Basis.APPROVAL else None,
            approval_date=min(start, today) - timedelta(days=7) if basis == Basis.APPROVAL else None,
            approval_note="ឯកភាពតាមសំណើ" if basis == Basis.APPROVAL else "",
            approval_scan=_letter_scan("OK") if basis == Basis.APPROVAL else None,
        )
        order = s.order_create(by=me.user, data=data)
        created += 1
        _drive(order, state, me, head, leader, clerks[issuer], returns)
    overdue = s.orders_mark_overdue()
    return {"orders": MissionOrder.objects.count(), "created": created, "overdue": overdue}


def _drive(order, state, me, head, leader, clerk, returns):
    if state == "draft":
        return
    if state == "cancelled":
        s.order_cancel(order=order, by=me.user, reason="ផ្លាស់ប្តូរកាលវិភាគ")
        return
    s.order_submit(order=order, by=me.user)
    if state == "submitted":
        return
    if state == "rejected":
        s.order_reject(order=order, by=leader.user, reason="សូមភ្ជាប់លិខិតអញ្ជើញផ្លូវការ")
        return
    s.order_approve(order=order, by=leader.user)
    if state == "approved":
        return
    s.order_issue(order=order, by=clerk.user)
    if state == "revoked":
        s.order_revoke(order=order, by=clerk.user, reason="អង្គភាពអញ្ជើញបានពន្យារពេលកម្មវិធី")
        return
    if state == "issued":
        return
    for traveller in order.travellers.select_related("official__user"):
        for leg in order.legs.all():  # the head of delegation (``me``) records every traveller's legs
            s.stamp_record(order=order, leg=leg, by=me.user, traveller=traveller, departed_on=leg.travel_date,
                           arrived_on=leg.travel_date, scan=_stamp_image(f"{leg.seq}"))
    s.report_save(order=order, by=me.user, text="បេសកកម្មបានបញ្ចប់ដោយជោគជ័យ។ លទ្ធផលលម្អិតមានក្នុងឯកសារភ្ជាប់។")
    s.order_file_return(order=order, by=me.user)
    if state == "returned":
        return
    if state == "sent_back":
        s.order_send_back(order=order, by=returns.user, reason="សូមភ្ជាប់ត្រាទិដ្ឋាការនៅខេត្តទិសដៅឱ្យបានច្បាស់")
        return
    s.order_accept(order=order, by=returns.user)
    assert order.__class__.objects.get(pk=order.pk).state == State.ACCEPTED
