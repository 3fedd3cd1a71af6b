"""Each version prints the facts as they stood for it: stored with the version when it is first
rendered, the same on a second render, and the REVOKED mark only on versions made at or after the
revocation."""

import pytest

from ministry.models import Official
from missions import services as s
from missions.documents.render import frozen_sheet, sheet_html
from missions.rendering import render_document
from missions.models import OrderDocument
from tests.factories import make_order


def _render(doc):
    assert render_document(doc.pk) == "ready"
    doc.refresh_from_db()
    return doc


@pytest.mark.django_db
def test_a_rerender_after_a_name_change_prints_the_issued_names(cast, three_travellers):
    order = make_order(cast, state="issued", travellers=three_travellers)
    first = _render(OrderDocument.objects.get(order=order))
    assert first.content["km"]["travellers"][0]["person"] == cast.official.name_km
    Official.objects.filter(pk=cast.official.pk).update(name_km="ឈ្មោះថ្មី", name_latin="New Name", honorific="excellency")
    second = _render(s.document_request(order=order, by=cast.gdaf_clerk.user, reason="re-render"))
    english = _render(s.document_request(order=order, by=cast.gdaf_clerk.user, reason="re-render", language="en"))
    for doc in (second, english):
        lang = doc.language
        assert doc.content[lang]["travellers"] == first.content[lang]["travellers"]
    html = sheet_html(frozen_sheet(second))
    assert "ឈ្មោះថ្មី" not in html and cast.official.name_km in html
    assert "New Name" not in sheet_html(frozen_sheet(english))


@pytest.mark.django_db
def test_rendering_a_version_again_gives_the_same_content(cast):
    order = make_order(cast, state="issued")
    doc = _render(OrderDocument.objects.get(order=order))
    html = sheet_html(frozen_sheet(doc))
    Official.objects.filter(pk=cast.colleague.pk).update(name_km="ឈ្មោះថ្មី")
    OrderDocument.objects.filter(pk=doc.pk).update(status="failed", attempts=1, rendered_at=None)
    doc = _render(OrderDocument.objects.get(pk=doc.pk))
    assert sheet_html(frozen_sheet(doc)) == html


@pytest.mark.django_db
def test_revoked_mark_only_on_the_version_made_at_revocation(cast):
    order = make_order(cast, state="issued")
    issued = OrderDocument.objects.get(order=order)  # still pending: its worker is late
    order = s.order_revoke(order=order, by=cast.gdaf_clerk.user, reason="បេសកកម្មត្រូវបានលុបចោល")
    revoked = OrderDocument.objects.get(order=order, reason="revoked")
    issued, revoked = _render(issued), _render(revoked)  # the late render runs after the revocation
    assert issued.content["km"]["revoked"] is False and 'class="revoked-banner"' not in sheet_html(frozen_sheet(issued))
    html = sheet_html(frozen_sheet(revoked))
    assert revoked.content["km"]["revoked"] is True and 'class="revoked-banner"' in html
    printed = html.replace("\u200b", "").replace("\u00a0", " ")  # as it reads: no word breaks, plain spaces
    assert revoked.content["km"]["revoked_on"] and revoked.content["km"]["revoked_on"].replace("\u200b", "") in printed
    assert "បេសកកម្ម" in revoked.content["km"]["revoked_reason"]
