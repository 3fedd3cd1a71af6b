"""Upload fuzzing: check_upload and every upload field through its view.

Wrong types, renamed files, huge files, decompression bombs, corrupt PDFs and images and polyglots
must each get a clear error, store nothing (no row, no file under MEDIA_ROOT) and never a 500.
"""

import functools
import io
import struct
import zipfile
import zlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from common import pdf_active
from common.uploads import check_upload
from missions.models import LegStamp, MissionOrder
from tests.factories import jpeg_bytes, make_order, pdf_bytes, png_bytes
from tests.proof import hostile_pdfs


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width, height, mode=0) -> bytes:
    """A PNG whose header claims width × height but carries one tiny IDAT."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, mode, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\0" * 64)) + _chunk(b"IEND", b"")


def png_bomb(side=10000) -> bytes:
    """A real decompression bomb: a valid greyscale PNG of side × side zero pixels, ~100 kB compressed."""
    comp = zlib.compressobj(9)
    row = b"\0" * (side + 1)
    idat = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


@functools.cache
def png_rgba_7700() -> bytes:
    """The audit's image: a real, valid 7700 × 7700 RGBA PNG of ~230 kB that costs ~227 MB to decode."""
    side = 7700
    comp = zlib.compressobj(9)
    row = b"\0" + b"\x10\x20\x30\xff" * side
    idat = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _zip(name="evil.html", data=b"<script>alert(1)</script>") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, data)
    return buf.getvalue()


def _gif() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("P", (8, 8)).save(buf, "GIF")
    return buf.getvalue()


def _encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    w.encrypt("secret")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _pdf_with_javascript() -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('hi');")})
    w._root_object[NameObject("/OpenAction")] = w._add_object(action)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _png_with_html_chunk() -> bytes:
    data = png_bytes()
    iend = data.rindex(b"IEND") - 4
    html = _chunk(b"tEXt", b"Comment\0<html><body><script>alert(document.cookie)</script></body></html>")
    return data[:iend] + html + data[iend:]


HUGE = settings.UPLOAD_MAX_BYTES + 1024

# name, file name, bytes (or a callable making them), content type claimed by the browser
CASES = [
    ("exe renamed pdf", "letter.pdf", b"MZ\x90\x00\x03" + b"\0" * 2000, "application/pdf"),
    ("html renamed png", "stamp.png", b"<!doctype html><html><script>alert(1)</script></html>", "image/png"),
    ("svg with script", "stamp.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "image/svg+xml"),
    ("plain text", "notes.txt", "ឯកសារ".encode() * 100, "text/plain"),
    ("gif renamed jpg", "stamp.jpg", _gif, "image/jpeg"),
    ("zip renamed pdf", "letter.pdf", _zip, "application/pdf"),
    ("empty file", "stamp.png", b"", "image/png"),
    ("huge file", "stamp.png", lambda: png_bytes() + b"\0" * HUGE, "image/png"),
    ("png claiming 30000x30000", "stamp.png", lambda: png_claiming(30000, 30000), "image/png"),
    ("png bomb 10000x10000", "stamp.png", png_bomb, "image/png"),
    ("truncated jpeg", "stamp.jpg", lambda: jpeg_bytes((200, 200))[:300], "image/jpeg"),
    ("png with broken data", "stamp.png", lambda: png_bytes()[:40] + b"\xff" * 60, "image/png"),
    ("pdf header only", "letter.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj garbage", "application/pdf"),
    ("truncated pdf", "letter.pdf", lambda: pdf_bytes()[:120], "application/pdf"),
    ("encrypted pdf", "letter.pdf", _encrypted_pdf, "application/pdf"),
    ("pdf with javascript", "letter.pdf", _pdf_with_javascript, "application/pdf"),
    ("gifar (gif + zip)", "stamp.jpg", lambda: _gif() + _zip("Evil.class", b"\xca\xfe\xba\xbe"), "image/jpeg"),
    ("pdf + zip polyglot", "letter.pdf", lambda: pdf_bytes() + _zip(), "application/pdf"),
    ("jpeg + zip polyglot", "stamp.jpg", lambda: jpeg_bytes() + _zip(), "image/jpeg"),
    ("png + trailing html", "stamp.png", lambda: png_bytes() + b"<html><script>alert(1)</script></html>",
     "image/png"),
    ("html inside a png chunk", "stamp.png", _png_with_html_chunk, "image/png"),
    ("png rgba 7700x7700", "stamp.png", png_rgba_7700, "image/png"),
    *[(name, "letter.pdf", functools.cache(make), "application/pdf") for name, make in hostile_pdfs.HOSTILE.items()],
]
IDS = [c[0] for c in CASES]


def _upload(case):
    _, name, data, ctype = case
    return SimpleUploadedFile(name, data() if callable(data) else data, content_type=ctype)


def _stored_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_check_upload_refuses_with_a_clear_message(case, settings, tmp_path):
    with pytest.raises(ValidationError) as err:
        check_upload(_upload(case))
    message = " ".join(err.value.messages)
    assert len(message) > 5 and "Traceback" not in message
    assert not _stored_files()


@pytest.mark.parametrize("good", [("stamp.png", png_bytes), ("stamp.jpg", jpeg_bytes), ("letter.pdf", pdf_bytes),
                                  ("letter.pdf", hostile_pdfs.plain_link_and_outline),
                                  ("photo.jpg", lambda: jpeg_bytes((7200, 5000)))])
def test_check_upload_accepts_real_scans(good):
    name, make = good
    assert check_upload(SimpleUploadedFile(name, make())) in ("image/png", "image/jpeg", "application/pdf")


@pytest.mark.parametrize("name", list(hostile_pdfs.HOSTILE))
def test_hostile_pdfs_are_refused_by_the_object_tree_check_itself(name):
    """Each is refused by the parsed-object check (names normalised), not only by a byte pattern."""
    with pytest.raises((pdf_active.ActiveContent, pdf_active.TooComplex)):
        pdf_active.inspect(hostile_pdfs.HOSTILE[name]())


def test_an_image_over_the_decode_budget_names_the_limit():
    with pytest.raises(ValidationError) as err:
        check_upload(SimpleUploadedFile("stamp.png", png_rgba_7700()))
    assert "7,700 × 7,700" in err.value.messages[0] and "million pixels" in err.value.messages[0]


@pytest.mark.parametrize("name, data, stored, shown", [
    ("evil.HTML", png_bytes, ".png", "evil.png"),
    ("photo.jpg.php", jpeg_bytes, ".jpg", "photo.jpg"),
    ("scan\u202egpj.exe", pdf_bytes, ".pdf", "scangpj.pdf"),
    ("../../../etc/cron.d/x.pdf", pdf_bytes, ".pdf", "x.pdf"),
    ("លិខិតអញ្ជើញ.png", png_bytes, ".png", "លិខិតអញ្ជើញ.png"),
])
@pytest.mark.django_db
def test_stored_under_the_detected_type_with_a_safe_download_name(cast, login, name, data, stored, shown):
    from groups import services as g
    from groups.models import Post

    group = g.group_create(kind="unit", unit=cast.unit_a, name_km="ក្រុម A", moderators=[cast.head])
    client = login(cast.official)
    response = client.post(reverse("groups:post_new", args=[group.pk]), {
        "category": "announcement", "title": "សេចក្តីជូនដំណឹង", "body_km": "អត្ថបទ",
        "attachment": SimpleUploadedFile(name, data())})
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.attachment.name.endswith(stored) and post.attachment_name == shown
    assert [p.suffix for p in _stored_files()] == [stored]
    download = client.get(reverse("groups:attachment", args=[post.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert shown.encode("ascii", "ignore").decode() in download["Content-Disposition"] or "utf-8''" in \
        download["Content-Disposition"]


def _assert_refused(response, before_files):
    assert response.status_code in (200, 400), response.status_code  # the form again, with the error
    body = response.content.decode()
    assert 'class="errorlist' in body
    assert "Traceback" not in body
    assert _stored_files() == before_files


# --- through the views -------------------------------------------------------------------


def _new_request_post(cast, field, upload):
    start = date.today() + timedelta(days=30)
    data = {
        "issuing_unit": cast.gdaf.pk, "purpose_km": "ចូលរួមសិក្ខាសាលា", "purpose_en": "Workshop",
        "departure_date": start.isoformat(), "return_date": (start + timedelta(days=1)).isoformat(),
        "approver": cast.leader.pk, "travellers": [cast.official.pk], "head": cast.official.pk,
        "leg-a-from_province": 1, "leg-a-to_province": 2, "leg-a-travel_date": start.isoformat(),
        "leg-a-means": "bus", "action": "draft",
    }
    if field == "invitation_scan":
        data.update(basis="invitation", invitation_sender="សាលាខេត្ត", invitation_number="១២",
                    invitation_date=(date.today() - timedelta(days=9)).isoformat())
    else:
        data.update(basis="approval", approval_leader=cast.leader.pk,
                    approval_date=(date.today() - timedelta(days=3)).isoformat())
    data[field] = upload
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["invitation_scan", "approval_scan"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_request_form_refuses_bad_scans_and_stores_nothing(cast, login, field, case):
    from ministry.models import Province

    client = login(cast.official)
    data = _new_request_post(cast, field, _upload(case))
    data["leg-a-from_province"] = Province.objects.get(code="KH-12").pk
    data["leg-a-to_province"] = Province.objects.get(code="KH-17").pk
    before = _stored_files()
    response = client.post(reverse("missions:new"), data)
    _assert_refused(response, before)
    assert not MissionOrder.objects.exists()


@pytest.mark.django_db
def test_request_form_accepts_a_real_scan(cast, login):
    from ministry.models import Province

    client = login(cast.official)
    data = _new_request_post(cast, "invitation_scan", SimpleUploadedFile("letter.pdf", pdf_bytes()))
    data["leg-a-from_province"] = Province.objects.get(code="KH-12").pk
    data["leg-a-to_province"] = Province.objects.get(code="KH-17").pk
    response = client.post(reverse("missions:new"), data)
    assert response.status_code == 302
    order = MissionOrder.objects.get()
    assert order.invitation_scan and len(_stored_files()) == 1


@pytest.fixture
def issued(cast):
    return make_order(cast, state="issued", travellers=[cast.official])


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_return_stamp_refuses_bad_scans_and_stores_nothing(cast, login, issued, case):
    client = login(cast.official)
    leg = issued.legs.first()
    before = _stored_files()
    response = client.post(reverse("missions:return", args=[issued.pk]), {
        "leg": leg.pk, f"stamp-{leg.pk}-departed_on": leg.travel_date.isoformat(),
        f"stamp-{leg.pk}-arrived_on": leg.travel_date.isoformat(), f"stamp-{leg.pk}-scan": _upload(case),
    })
    _assert_refused(response, before)
    assert not LegStamp.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_return_report_refuses_bad_attachments_and_stores_nothing(cast, login, issued, case):
    client = login(cast.official)
    before = _stored_files()
    response = client.post(reverse("missions:return", args=[issued.pk]), {
        "report": "1", "report_text": "លទ្ធផល", "report_file": _upload(case)})
    _assert_refused(response, before)
    issued.refresh_from_db()
    assert not issued.report_file and not issued.report_text


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_group_post_refuses_bad_attachments_and_stores_nothing(cast, login, case):
    from groups import services as g
    from groups.models import Post

    group = g.group_create(kind="unit", unit=cast.unit_a, name_km="ក្រុម A", moderators=[cast.head])
    client = login(cast.official)
    before = _stored_files()
    response = client.post(reverse("groups:post_new", args=[group.pk]), {
        "category": "announcement", "title": "សេចក្តីជូនដំណឹង", "body_km": "អត្ថបទ", "attachment": _upload(case)})
    _assert_refused(response, before)
    assert not Post.objects.exists()
