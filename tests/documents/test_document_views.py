"""Downloads, re-render and the return package: who may, what they get."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ministry.models import AuditEntry
from missions import services as s
from missions.rendering import render_document
from missions.models import OrderDocument
from tests.factories import make_order, pdf_bytes, upload


def _ready(order):
    doc = OrderDocument.objects.filter(order=order).latest("version")
    assert render_document(doc.pk) == "ready"
    doc.refresh_from_db()
    return doc


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["official", "colleague", "gdaf_clerk", "returns_clerk", "head", "admin"])
def test_download_is_open_to_travellers_clerks_gdaf_and_heads(cast, login, who):
    order = make_order(cast, state="issued")
    doc = _ready(order)
    response = login(getattr(cast, who)).get(reverse("missions:document_download", args=[doc.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert _body(response) == doc.file.open("rb").read()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other", "other_head", "cabinet_clerk"])
def test_download_is_404_for_other_units(cast, login, who):
    doc = _ready(make_order(cast, state="issued"))
    assert login(getattr(cast, who)).get(reverse("missions:document_download", args=[doc.pk])).status_code == 404


@pytest.mark.django_db
def test_download_needs_a_login_and_a_ready_file(cast, client, login):
    order = make_order(cast, state="issued")
    doc = OrderDocument.objects.get(order=order)
    url = reverse("missions:document_download", args=[doc.pk])
    assert client.get(url).status_code == 302
    assert login(cast.official).get(url).status_code == 404  # still pending


@pytest.mark.django_db
def test_issuing_clerk_renders_a_new_version_with_an_audit_entry(cast, login):
    order = make_order(cast, state="issued")
    client = login(cast.gdaf_clerk)
    url = reverse("missions:document_rerender", args=[order.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"language": "en"})
    assert response.status_code == 302 and response["Location"] == reverse("missions:detail", args=[order.pk])
    doc = OrderDocument.objects.filter(order=order).latest("created")
    assert (doc.version, doc.language, doc.reason, doc.status) == (1, "en", "re-render", "pending")
    client.post(url, {"language": "km"})
    assert OrderDocument.objects.filter(order=order, language="km").latest("version").version == 2
    entry = AuditEntry.objects.filter(action="missions.order.document_requested", object_id=str(order.pk),
                                      data__document=doc.pk).get()
    assert entry.actor == cast.gdaf_clerk.user and entry.data["language"] == "en"
    assert entry.data["reason"] == "re-render" and entry.data["version"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["official", "returns_clerk", "cabinet_clerk", "head"])
def test_others_cannot_render_again(cast, login, who):
    order = make_order(cast, state="issued")
    before = OrderDocument.objects.count()
    response = login(getattr(cast, who)).post(reverse("missions:document_rerender", args=[order.pk]))
    assert response.status_code in (302, 404)
    assert OrderDocument.objects.count() == before


def _returned_with_attachment(cast):
    order = make_order(cast, state="issued")
    _ready(order)
    for t in order.travellers.all():
        for leg in order.legs.all():
            scan = upload("stamp.pdf", pdf_bytes(), "application/pdf") if t.sort == 1 and leg.seq == 2 else upload()
            s.stamp_record(order=order, leg=leg, by=t.official.user, departed_on=leg.travel_date,
                           arrived_on=leg.travel_date, scan=scan)
    s.report_save(order=order, by=cast.official.user, text="លទ្ធផលការងារបានសម្រេច\nសិក្ខាសាលាបានបញ្ចប់",
                  attachment=upload("report.pdf", pdf_bytes(), "application/pdf"))
    return s.order_file_return(order=order, by=cast.official.user)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["returns_clerk", "gdaf_clerk"])
def test_return_package_merges_order_scans_report_and_attachment(cast, login, who):
    order = _returned_with_attachment(cast)
    response = login(getattr(cast, who)).get(reverse("missions:return_package", args=[order.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(_body(response)))
    travellers, legs = order.travellers.count(), order.legs.count()
    # order (1 + one visa sheet per traveller) + one page per stamped sheet + report page + attachment
    assert len(reader.pages) == (1 + travellers) + travellers * legs + 1 + 1


@pytest.mark.django_db
def test_return_package_is_refused_to_travellers_and_hidden_from_other_units(cast, login):
    order = _returned_with_attachment(cast)
    url = reverse("missions:return_package", args=[order.pk])
    response = login(cast.official).get(url)
    assert response.status_code == 302 and response["Content-Type"] != "application/pdf"
    assert login(cast.other).get(url).status_code == 404


@pytest.mark.django_db
def test_documents_panel_shows_versions_errors_and_buttons(cast, rf):
    from django.template import Context, Template

    order = make_order(cast, state="issued")
    doc = OrderDocument.objects.get(order=order)
    OrderDocument.objects.filter(pk=doc.pk).update(status="failed", attempts=2, error="OSError: disk full")
    template = Template("{% load order_documents %}{% order_documents order %}")

    def panel(official):
        request = rf.get("/")
        request.user = official.user
        return template.render(Context({"order": order, "request": request, "csrf_token": "tok"}))

    clerk = panel(cast.gdaf_clerk)
    assert "OSError: disk full" in clerk and "2" in clerk
    assert reverse("missions:document_rerender", args=[order.pk]) in clerk
    traveller = panel(cast.official)
    assert reverse("missions:document_rerender", args=[order.pk]) not in traveller
    render_document(doc.pk)
    assert reverse("missions:document_download", args=[doc.pk]) in panel(cast.official)


@pytest.mark.django_db
def test_order_page_shows_the_documents_panel(cast, login):
    order = make_order(cast, state="issued")
    doc = _ready(order)
    page = login(cast.gdaf_clerk).get(reverse("missions:detail", args=[order.pk])).content.decode()
    assert 'id="documents"' in page
    assert reverse("missions:document_download", args=[doc.pk]) in page
    assert reverse("missions:document_rerender", args=[order.pk]) in page
    page = login(cast.official).get(reverse("missions:detail", args=[order.pk])).content.decode()
    assert reverse("missions:document_download", args=[doc.pk]) in page
    assert reverse("missions:document_rerender", args=[order.pk]) not in page


@pytest.mark.khmer
@pytest.mark.django_db
def test_return_package_pages_are_a4_with_bookmarks_and_a_khmer_report(cast, login):
    import html as htmllib
    import re

    from khmer.wordbreak import strip_breaks
    from missions.documents.package import report_html
    from missions.models import LegStamp

    order = _returned_with_attachment(cast)
    response = login(cast.returns_clerk).get(reverse("missions:return_package", args=[order.pk]))
    reader = PdfReader(io.BytesIO(_body(response)))
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    travellers = list(order.travellers.select_related("official"))
    for t in travellers:
        assert f"{t.official.get_honorific_display()} {t.official.name_km}" in titles
    legs = [item for item in outline if isinstance(item, list)]
    assert len(legs) == len(travellers) and all(len(children) == order.legs.count() for children in legs)
    assert legs[0][0].title.startswith("ដំណើរទី១៖ ")
    assert titles[0] == "លិខិតបញ្ជាបេសកកម្ម" and "របាយការណ៍លទ្ធផលការងារ" in titles

    stamps = list(LegStamp.objects.filter(traveller__order=order).select_related("traveller__official", "leg"))
    order.report_text = "បានចូលរួមវគ្គ 3 ថ្ងៃ ទូរស័ព្ទ 012 345 678"
    html = report_html(order, stamps)
    body = re.sub(r"<style>.*?</style>|<title>.*?</title>|<[^>]+>", "", html, flags=re.S)
    text = htmllib.unescape(strip_breaks(body)).replace("\u00a0", " ")  # no-break spaces keep figures whole
    assert "ព្រះរាជាណាចក្រកម្ពុជា" in text and "ក្រសួងមុខងារសាធារណៈ" in text and "ព.ស." in text
    assert "របាយការណ៍លទ្ធផលការងារ" in text and "វគ្គ ៣ ថ្ងៃ" in text
    assert f"{travellers[0].official.get_honorific_display()} {travellers[0].official.name_km}" in text
    for t in travellers:  # the test officials' names carry Latin digits
        text = text.replace(t.official.name_km, "")
    assert re.findall(r"[0-9][0-9 ]*", text) == ["012 345 678"]  # a phone number keeps its digits

    # laid out: its dates in figures stand on one line inside their cells
    from missions.documents.render import numeric_date, render_html_document
    from tests.documents import test_pagination as layout

    dates = sorted({numeric_date(d, False) for st in stamps for d in (st.departed_on, st.arrived_on)})
    assert dates and all(d in strip_breaks(html) for d in dates)
    document = render_html_document(html)
    assert layout.broken_dates(document, dates) == []
    assert layout.ink_outside_cells(document) == []
