"""The document's HTML carries every field, in both languages and for both bases (B.2).

PDF text extraction garbles Khmer, so the content is checked in the HTML WeasyPrint lays out."""

import html as htmllib
import re

import pytest
from django.conf import settings
from django.utils import timezone, translation

from khmer.calendar import lunar_line, lunar_line_en
from khmer.dates import solar_date_line, solar_date_line_en
from khmer.wordbreak import ZWSP, strip_breaks
from missions.documents.render import document_html
from tests.factories import make_order
from tests.terms import revoked_km


def _text(order, language):
    """The document's HTML as it reads: without word breaks, without the spans that keep names whole,
    no-break spaces (that keep dates and numbers whole) read as spaces."""
    html = re.sub(r"</?span[^>]*>", "", document_html(order, language))
    return htmllib.unescape(strip_breaks(html)).replace("\u00a0", " ")


@pytest.mark.django_db
@pytest.mark.parametrize("basis", ["invitation", "approval"])
def test_khmer_order_carries_every_field(cast, three_travellers, basis):
    order = make_order(cast, state="issued", travellers=three_travellers, legs=3, basis=basis)
    text = _text(order, "km")
    issued_on = timezone.localdate(order.issued_at)
    assert order.number == 1 and "លេខ ០០១ អ.ប.ហ." in text
    with translation.override("km"):
        assert order.display_number in text
    assert "ព្រះរាជាណាចក្រកម្ពុជា" in text and "ជាតិ សាសនា ព្រះមហាក្សត្រ" in text
    assert "ក្រសួងមុខងារសាធារណៈ" in text and "អគ្គនាយកដ្ឋានរដ្ឋបាលនិងហិរញ្ញវត្ថុ" in text
    assert lunar_line(issued_on) in text
    assert f"រាជធានីភ្នំពេញ {solar_date_line(issued_on)}" in text
    assert "លិខិតបញ្ជាបេសកកម្ម" in text and "បញ្ជាឱ្យ" in text
    assert cast.gdaf.issuer_title_km in text
    for i, t in enumerate(order.travellers.all(), start=1):
        assert f"{'០១២៣'[i]}." in text
        assert f"{t.official.get_honorific_display()} {t.official.name_km}" in text
        assert t.position_km in text and t.unit_km in text
    for leg in order.legs.all():
        assert leg.destination("km") in text
        assert f"ចេញដំណើរពី{leg.origin('km')}" in text and f"មកដល់{leg.destination('km')}" in text
    assert "ធ្វើដំណើរទៅកាន់៖" in text and "មានភារកិច្ច៖" in text and "យោង៖" in text
    assert order.purpose_km in text
    if basis == "invitation":
        assert f"លិខិតអញ្ជើញពី{order.invitation_sender} លេខ {order.invitation_number}" in text
        assert solar_date_line(order.invitation_date) in text
    else:
        leader = order.approval_leader
        assert f"គោលការណ៍ឯកភាពពី{leader.get_honorific_display()} {leader.name_km}" in text
        assert solar_date_line(order.approval_date) in text
    assert f"ចេញដំណើរ</td><td>{solar_date_line(order.departure_date)}" in text
    assert f"ត្រឡប់មកវិញ</td><td>{solar_date_line(order.return_date)}" in text
    assert "មធ្យោបាយធ្វើដំណើរ៖</td><td>រថយន្តក្រសួង" in text
    assert "សូមអាជ្ញាធរពាក់ព័ន្ធ មេត្តាផ្តល់ការសម្រួល" in text
    assert order.signer is not None and f"{order.signer.get_honorific_display()} {order.signer.name_km}" in text
    assert "ចម្លងជូន៖" in text and "ឯកសារ-កាលប្បវត្តិ" in text and "<li>នាយកដ្ឋានDEPT-A</li>" in text
    url = f"{settings.SITE_URL}/verify/{order.verification_token}/"
    assert url in text
    assert 'src="data:image/png;base64,' in text
    assert text.count('class="visa"') == 3
    assert "កន្លែងចេញដំណើរ និងមកដល់" in text and "សេចក្តីបញ្ជាក់ ហត្ថលេខា និងត្រា" in text
    assert revoked_km() not in text


@pytest.mark.django_db
@pytest.mark.parametrize("basis", ["invitation", "approval"])
def test_english_order_carries_every_field(cast, three_travellers, basis):
    order = make_order(cast, state="issued", travellers=three_travellers, legs=3, basis=basis)
    text = _text(order, "en")
    issued_on = timezone.localdate(order.issued_at)
    assert f"No. {order.number:03d} GDAF" in text
    assert "KINGDOM OF CAMBODIA" in text and "MISSION ORDER" in text and "TRAVEL VISA SHEET" in text
    assert lunar_line_en(issued_on) in text
    assert f"Phnom Penh, {solar_date_line_en(issued_on)}" in text
    assert cast.gdaf.issuer_title_en in text
    for t in order.travellers.all():
        assert f"Mr {t.official.name_latin}" in text or f"Mrs {t.official.name_latin}" in text
        assert t.position_en in text and t.unit_en in text
    for leg in order.legs.all():
        assert leg.destination("en") in text
    assert order.purpose_en in text
    if basis == "invitation":
        assert f"Invitation letter from {order.invitation_sender}, No. {order.invitation_number}" in text
        assert solar_date_line_en(order.invitation_date) in text
    else:
        assert f"Approval in principle of H.E. {order.approval_leader.name_latin}" in text or \
            f"Approval in principle of Mr {order.approval_leader.name_latin}" in text
    assert f"Departure:</td><td>{solar_date_line_en(order.departure_date)}" in text
    assert f"Return:</td><td>{solar_date_line_en(order.return_date)}" in text
    assert "Ministry car" in text
    assert order.signer.name_latin in text
    assert "Copies to:" in text and "Archive" in text
    assert f"{settings.SITE_URL}/verify/{order.verification_token}/" in text
    # no Khmer label is left in the English variant
    for label in ("ធ្វើដំណើរទៅកាន់", "មានភារកិច្ច", "ចម្លងជូន", "ទិដ្ឋាការធ្វើដំណើរ"):
        assert label not in text


@pytest.mark.django_db
def test_khmer_text_carries_break_opportunities(issued):
    raw = document_html(issued, "km")
    purpose = issued.purpose_km
    assert purpose not in raw  # it was segmented...
    assert ZWSP in raw and strip_breaks(raw).count(purpose) >= 1  # ...and nothing else changed
    assert ZWSP not in raw.split("<title>")[1].split("</title>")[0]


@pytest.mark.django_db
def test_revoked_order_render_carries_the_revoked_mark(cast):
    order = make_order(cast, state="revoked")
    km, en = _text(order, "km"), _text(order, "en")
    assert 'class="watermark"' in km and revoked_km() in km and "REVOKED" in km
    assert 'class="revoked-banner"' in km and order.reason in km
    assert 'class="watermark"' in en and "REVOKED" in en


@pytest.mark.django_db
def test_typed_numbers_print_in_khmer_digits_in_the_khmer_document(cast, three_travellers):
    from missions.models import MissionOrder

    order = make_order(cast, state="issued", travellers=three_travellers)
    MissionOrder.objects.filter(pk=order.pk).update(invitation_number="107 ស.ជ.ណ", purpose_km="ចូលរួមវគ្គ 3 ថ្ងៃ")
    order.refresh_from_db()
    km, en = _text(order, "km"), _text(order, "en")
    assert "លេខ ១០៧ ស.ជ.ណ" in km and "107" not in km
    assert "ចូលរួមវគ្គ ៣ ថ្ងៃ" in km
    assert "No. 107 ស.ជ.ណ" in en  # the English document keeps what was typed
