"""Filing the return: one form per leg of mine, progress, the report; bad uploads store nothing."""

import pytest
from django.urls import reverse

from missions.models import LegStamp, State
from tests.factories import jpeg_bytes, make_order, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def _files(settings):
    """The stored files, without the scanned letters the orders were issued on."""
    from missions.models import MissionOrder

    root = settings.MEDIA_ROOT
    basis = {root / name for pair in MissionOrder.objects.values_list("invitation_scan", "approval_scan")
             for name in pair if name}
    return sorted(p for p in root.rglob("*") if p.is_file() and p not in basis) if root.exists() else []


def _stamp(client, order, leg, scan, **extra):
    data = {"leg": leg.pk, f"stamp-{leg.pk}-departed_on": leg.travel_date.isoformat(),
            f"stamp-{leg.pk}-arrived_on": leg.travel_date.isoformat()}
    if scan is not None:
        data[f"stamp-{leg.pk}-scan"] = scan
    data.update(extra)
    client.cookies["django_language"] = "en"
    return client.post(reverse("missions:return", args=[order.pk]), data)


def test_return_page_has_one_form_per_leg_with_phone_capture(cast, login):
    order = make_order(cast, state="issued")
    page = login(cast.official).get(reverse("missions:return", args=[order.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert len(page.context["rows"]) == order.legs.count()
    assert html.count('capture="environment"') == order.legs.count()
    assert 'accept="image/*,application/pdf"' in html
    assert (page.context["done"], page.context["needed"]) == (0, 4)


@pytest.mark.parametrize("data,name,ctype", [(png_bytes(), "a.png", "image/png"), (jpeg_bytes(), "a.jpg", "image/jpeg"),
                                             (pdf_bytes(), "a.pdf", "application/pdf")])
def test_recording_a_leg_stores_the_scan(cast, login, settings, data, name, ctype):
    order = make_order(cast, state="issued")
    leg = order.legs.first()
    response = _stamp(login(cast.official), order, leg, upload(name, data, ctype))
    assert response.status_code == 302
    stamp = LegStamp.objects.get(leg=leg, traveller__official=cast.official)
    assert stamp.scan_type == ctype
    assert len(_files(settings)) == 1
    page = login(cast.official).get(reverse("missions:return", args=[order.pk]))
    assert page.context["done"] == 1


BAD = [
    ("wrong type", lambda: upload("notes.txt", b"just some text, not a scan\n" * 10, "text/plain"), "not a PDF"),
    ("renamed exe", lambda: upload("photo.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 500, "image/png"), "not a PDF"),
    ("corrupt png", lambda: upload("photo.png", png_bytes()[:60], "image/png"), "damaged"),
    ("corrupt pdf", lambda: upload("scan.pdf", b"%PDF-1.7\n1 0 obj <<>> garbage", "application/pdf"), "damaged"),
    ("empty", lambda: upload("scan.png", b"", "image/png"), "empty"),
]


@pytest.mark.parametrize("label,make,text", BAD, ids=[b[0] for b in BAD])
def test_bad_upload_shows_a_message_and_stores_nothing(cast, login, settings, label, make, text):
    order = make_order(cast, state="issued")
    leg = order.legs.first()
    response = _stamp(login(cast.official), order, leg, make())
    assert response.status_code == 200
    errors = " ".join(response.context["rows"][0]["form"].errors.get("scan", []))
    assert text in errors
    assert not LegStamp.objects.exists()
    assert _files(settings) == []


def test_too_large_upload_is_refused_and_nothing_stored(cast, login, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    order = make_order(cast, state="issued")
    leg = order.legs.first()
    response = _stamp(login(cast.official), order, leg, upload("big.png", png_bytes(size=(400, 400)), "image/png"))
    assert response.status_code == 200
    assert "too large" in " ".join(response.context["rows"][0]["form"].errors["scan"])
    assert not LegStamp.objects.exists() and _files(settings) == []


def test_missing_scan_and_arrival_before_departure(cast, login, settings):
    order = make_order(cast, state="issued")
    leg = order.legs.first()
    earlier = (leg.travel_date.replace(day=1)).isoformat() if leg.travel_date.day > 1 else "2000-01-01"
    response = _stamp(login(cast.official), order, leg, None, **{f"stamp-{leg.pk}-arrived_on": earlier})
    form = response.context["rows"][0]["form"]
    assert "scan" in form.errors and "arrived_on" in form.errors
    assert not LegStamp.objects.exists()


def test_report_with_bad_attachment_stores_nothing(cast, login, settings):
    order = make_order(cast, state="issued")
    client = login(cast.official)
    response = client.post(reverse("missions:return", args=[order.pk]),
                           {"report": "1", "report_text": "លទ្ធផល", "report_file": upload("r.pdf", b"%PDF-1.4 broken")})
    assert response.status_code == 200 and "report_file" in response.context["report_form"].errors
    order.refresh_from_db()
    assert order.report_text == "" and _files(settings) == []
    client.post(reverse("missions:return", args=[order.pk]),
                {"report": "1", "report_text": "លទ្ធផល", "report_file": upload("r.pdf", pdf_bytes(), "application/pdf")})
    order.refresh_from_db()
    assert order.report_text == "លទ្ធផល" and order.report_file


def test_a_non_traveller_cannot_file(cast, login):
    order = make_order(cast, state="issued")
    response = login(cast.head).get(reverse("missions:return", args=[order.pk]), follow=True)
    assert "Only a traveller, the requester or GDAF's returns office can fill in this return." in [str(m) for m in response.context["messages"]]
    assert login(cast.other).get(reverse("missions:return", args=[order.pk])).status_code == 404


def test_a_leg_of_another_order_is_404(cast, login):
    order = make_order(cast, state="issued")
    other = make_order(cast, state="issued", start=order.return_date + __import__("datetime").timedelta(days=5))
    leg = other.legs.first()
    response = login(cast.official).post(reverse("missions:return", args=[order.pk]),
                                         {"leg": leg.pk, f"stamp-{leg.pk}-scan": upload()})
    assert response.status_code == 404 and not LegStamp.objects.exists()


def test_recording_before_issue_is_refused(cast, login):
    order = make_order(cast, state="approved")
    leg = order.legs.first()
    response = _stamp(login(cast.official), order, leg, upload())
    assert response.status_code == 302 and not LegStamp.objects.exists()


def test_progress_counts_every_traveller(cast, login):
    order = make_order(cast, state="issued")
    for who in (cast.official, cast.colleague):
        _stamp(login(who), order, order.legs.first(), upload())
    page = login(cast.official).get(reverse("missions:return", args=[order.pk]))
    assert (page.context["done"], page.context["needed"], page.context["may_submit"]) == (2, 4, False)
    assert order.state == State.ISSUED


def test_after_filing_the_return_the_page_is_read_only_with_its_state(cast, login):
    from missions import services as s
    from tests.factories import upload

    order = make_order(cast, state="issued")
    for t in order.travellers.all():
        for leg in order.legs.all():
            s.stamp_record(order=order, leg=leg, by=t.official.user, departed_on=leg.travel_date,
                           arrived_on=leg.travel_date, scan=upload())
    s.report_save(order=order, by=cast.official.user, text="លទ្ធផល")
    client = login(cast.official)
    response = client.post(reverse("missions:transition", args=[order.pk, "file_return"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("missions:return", args=[order.pk])
    html = response.content.decode()
    assert "The return was submitted to GDAF." in html
    assert "badge state-returned" in html
    assert "<textarea" not in html and 'type="file"' not in html
    assert "The return is with GDAF for checking" in html


def test_the_sent_back_reason_is_on_the_return_page_and_stamps_on_the_order_page(cast, login):
    from missions import services as s
    from tests.factories import upload

    order = make_order(cast, state="issued")
    for t in order.travellers.all():
        for leg in order.legs.all():
            s.stamp_record(order=order, leg=leg, by=t.official.user, departed_on=leg.travel_date,
                           arrived_on=leg.travel_date, scan=upload())
    s.report_save(order=order, by=cast.official.user, text="លទ្ធផល")
    s.order_file_return(order=order, by=cast.official.user)
    detail = login(cast.returns_clerk).get(reverse("missions:detail", args=[order.pk])).content.decode()
    assert detail.count('<img src="/missions/file/stamp/') == order.travellers.count() * order.legs.count()
    s.order_send_back(order=order, by=cast.returns_clerk.user, reason="ខ្វះត្រានៅដំណាក់កាលទី ២")
    html = login(cast.official).get(reverse("missions:return", args=[order.pk])).content.decode()
    assert "Sent back by GDAF" in html and "ខ្វះត្រានៅដំណាក់កាលទី ២" in html
    assert 'type="file"' in html  # editable again
