"""Uploaded scans are served only through the permission-checked view, by model, id and field."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from missions import services as s
from missions.models import Basis, LegStamp
from tests.factories import order_input, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def order_with_files(cast):
    data = order_input(cast, start=date.today() - timedelta(days=10))
    data.invitation_scan = upload("letter.pdf", pdf_bytes(), "application/pdf")
    order = s.order_create(by=cast.official.user, data=data)
    for step in (lambda o: s.order_submit(order=o, by=cast.official.user),
                 lambda o: s.order_approve(order=o, by=cast.leader.user),
                 lambda o: s.order_issue(order=o, by=cast.gdaf_clerk.user)):
        order = step(order)
    s.stamp_record(order=order, leg=order.legs.first(), by=cast.official.user, departed_on=order.departure_date,
                   arrived_on=order.departure_date, scan=upload("stamp.png", png_bytes(), "image/png"))
    s.report_save(order=order, by=cast.official.user, text="លទ្ធផល", attachment=upload("r.pdf", pdf_bytes()))
    return order


def test_traveller_gets_pdfs_as_downloads_and_images_as_the_portals_own_jpeg(cast, login, order_with_files):
    client = login(cast.colleague)
    stamp = LegStamp.objects.get()
    for kind, pk in (("invitation", order_with_files.pk), ("report", order_with_files.pk)):
        response = client.get(reverse("missions:file", args=[kind, pk]))
        assert response.status_code == 200, kind
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Content-Disposition"].endswith('.pdf"')
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content)[:4] == b"%PDF"
    shown = client.get(reverse("missions:file", args=["stamp", stamp.pk]))
    assert shown["Content-Type"] == "image/jpeg" and shown["Content-Disposition"].startswith("inline")
    assert shown.content[:3] == b"\xff\xd8\xff"  # re-encoded by the portal, not the uploaded PNG
    original = client.get(reverse("missions:file", args=["stamp", stamp.pk]) + "?original=1")
    assert original["Content-Type"] == "image/png" and original["Content-Disposition"].startswith("attachment")
    assert b"".join(original.streaming_content)[:4] == b"\x89PNG"


def test_another_unit_cannot_open_files_by_changing_the_id(cast, login, order_with_files):
    client = login(cast.other)
    stamp = LegStamp.objects.get()
    assert client.get(reverse("missions:file", args=["invitation", order_with_files.pk])).status_code == 404
    assert client.get(reverse("missions:file", args=["stamp", stamp.pk])).status_code == 404
    assert client.get(reverse("missions:file", args=["report", order_with_files.pk])).status_code == 404
    assert client.get(reverse("missions:detail", args=[order_with_files.pk])).status_code == 404


def test_unknown_kind_missing_file_and_anonymous(cast, client, login, order_with_files):
    assert client.get(reverse("missions:file", args=["invitation", order_with_files.pk])).status_code == 302
    c = login(cast.official)
    assert c.get(reverse("missions:file", args=["verification_token", order_with_files.pk])).status_code == 404
    assert c.get(reverse("missions:file", args=["approval", order_with_files.pk])).status_code == 404
    assert order_with_files.basis == Basis.INVITATION


def test_stored_names_are_random_and_under_media_root(cast, settings, order_with_files):
    stamp = LegStamp.objects.get()
    assert "stamp" not in stamp.scan.name.rsplit("/", 1)[-1]
    assert (settings.MEDIA_ROOT / stamp.scan.name).is_file()
    assert not str(settings.MEDIA_ROOT).startswith(str(settings.STATIC_ROOT))


def test_returns_clerk_may_open_the_stamp(cast, login, order_with_files):
    stamp = LegStamp.objects.get()
    assert login(cast.returns_clerk).get(reverse("missions:file", args=["stamp", stamp.pk])).status_code == 200


def test_detail_links_files_by_kind_and_id_never_by_path(cast, login, order_with_files):
    html = login(cast.official).get(reverse("missions:detail", args=[order_with_files.pk])).content.decode()
    assert reverse("missions:file", args=["invitation", order_with_files.pk]) in html
    assert order_with_files.invitation_scan.name not in html


def _heic_bytes(size=(320, 240)):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buf, "HEIF")
    return buf.getvalue()


def test_a_heic_stamp_photo_is_shown_as_jpeg_and_its_original_kept(cast, login, order_with_files, settings):
    import io

    from PIL import Image

    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    heic = _heic_bytes((3000, 2000))
    leg = order_with_files.legs.last()
    s.stamp_record(order=order_with_files, leg=leg, by=cast.official.user, departed_on=order_with_files.return_date,
                   arrived_on=order_with_files.return_date, scan=upload("IMG_0042.HEIC", heic, "image/heic"))
    stamp = LegStamp.objects.get(leg=leg, traveller__official=cast.official)
    client = login(cast.returns_clerk)
    url = reverse("missions:file", args=["stamp", stamp.pk])

    shown = client.get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown["Content-Disposition"] == f'inline; filename="order-{order_with_files.pk}-stamp-{stamp.pk}.jpg"'
    with Image.open(io.BytesIO(shown.content)) as jpeg:
        assert jpeg.format == "JPEG" and jpeg.size == (2400, 1600)  # bounded for the screen, proportions kept

    original = client.get(url, {"original": "1"})
    assert original["Content-Type"] == "image/heic" and original["Content-Disposition"].startswith("attachment")
    assert original["Content-Disposition"].endswith('.heic"')
    assert b"".join(original.streaming_content) == heic
    assert stamp.scan.open("rb").read() == heic  # the stored evidence is never re-encoded
