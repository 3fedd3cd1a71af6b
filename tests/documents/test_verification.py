"""The public verification page behind the QR code."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from khmer.dates import short_date_en
from missions.rendering import render_document
from missions.models import OrderDocument
from tests.factories import make_order, pdf_bytes, png_bytes
from tests.terms import revoked_km


def _url(order):
    return reverse("verify:order", args=[order.verification_token])


def _ready(order):
    doc = OrderDocument.objects.filter(order=order).latest("version")
    render_document(doc.pk)
    doc.refresh_from_db()
    return doc


def _files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_token_has_at_least_128_random_bits():
    from missions.models import new_verification_token

    tokens = {new_verification_token() for _ in range(50)}
    assert len(tokens) == 50 and all(len(t) * 6 >= 128 for t in tokens)


@pytest.mark.django_db
def test_page_is_public_and_shows_the_order_in_both_languages(cast, public_client, issued):
    doc = _ready(issued)
    response = public_client.get(_url(issued))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<dd class="order-number">{issued.display_number}</dd>' in page  # once, in the reader's language
    assert page.count(issued.display_number) == 1
    assert cast.gdaf.name_km in page and cast.gdaf.name_en in page
    for t in issued.travellers.all():
        assert t.official.name_km in page and t.official.name_latin in page and t.position_km in page
    for leg in issued.legs.all():
        assert leg.destination("km") in page and leg.destination("en") in page
    assert short_date_en(issued.departure_date) in page and short_date_en(issued.return_date) in page
    assert 'data-state="valid"' in page and "មានសុពលភាព" in page and "Valid" in page
    assert doc.sha256 in page


@pytest.mark.django_db
@pytest.mark.parametrize("state,key,words", [("revoked", "revoked", None), ("accepted", "closed", "Closed")])
def test_page_shows_revoked_and_closed_orders(cast, public_client, state, key, words):
    words = words or revoked_km()
    order = make_order(cast, state=state)
    page = public_client.get(_url(order)).content.decode()
    assert f'data-state="{key}"' in page and words in page


@pytest.mark.django_db
def test_unknown_token_or_unissued_order_is_a_bare_404(cast, public_client):
    draft = make_order(cast, state="approved")
    for url in (reverse("verify:order", args=["x" * 32]), _url(draft)):
        response = public_client.get(url)
        assert response.status_code == 404
        assert draft.purpose_km not in response.content.decode()


@pytest.mark.khmer
@pytest.mark.django_db
def test_uploaded_pdf_is_checked_against_every_version_and_never_kept(cast, public_client, issued, settings):
    public_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    first = _ready(issued)
    from missions.services import document_request

    second = document_request(order=issued, reason="re-render", language="en")
    render_document(second.pk)
    second.refresh_from_db()
    stored = _files(settings.MEDIA_ROOT)
    data = first.file.open("rb").read()

    page = public_client.post(_url(issued), {"pdf": SimpleUploadedFile("o.pdf", data)}).content.decode()
    assert 'class="hash-match" data-version="1"' in page and hashlib.sha256(data).hexdigest() in page
    assert 'data-signature="valid"' in page and "signed by" in page
    i = data.index(b"/Title")
    tampered = data[:i] + b"/Titlf" + data[i + 6:]
    page = public_client.post(_url(issued), {"pdf": SimpleUploadedFile("o.pdf", tampered)}).content.decode()
    assert 'class="hash-mismatch"' in page and 'data-signature="tampered"' in page and "changed after" in page
    english = second.file.open("rb").read()
    page = public_client.post(_url(issued), {"pdf": SimpleUploadedFile("o.pdf", english)}).content.decode()
    assert f'class="hash-match" data-version="{second.version}"' in page
    page = public_client.post(_url(issued), {"pdf": SimpleUploadedFile("o.pdf", pdf_bytes())}).content.decode()
    assert 'class="hash-mismatch"' in page and "does not match" in page
    assert 'data-signature="unsigned"' in page and "no digital signature" in page
    page = public_client.post(_url(issued), {"pdf": SimpleUploadedFile("o.pdf", png_bytes())}).content.decode()
    assert 'class="hash-' not in page and "errorlist" in page
    assert _files(settings.MEDIA_ROOT) == stored


@pytest.mark.django_db
def test_upload_over_the_size_limit_is_refused(cast, public_client, issued, settings):
    public_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.UPLOAD_MAX_BYTES = 1000
    big = pdf_bytes() + b"%" * 2000
    page = public_client.post(_url(issued), {"pdf": SimpleUploadedFile("o.pdf", big)}).content.decode()
    assert 'class="hash-' not in page and "too large" in page


@pytest.mark.django_db
def test_rate_limit_answers_429(cast, public_client, issued, monkeypatch):
    import time
    import types

    import django_ratelimit.core

    # One moment for all 31 requests: a minute's window cannot end half-way through the test on a slow machine.
    now = int(time.time())
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: now))
    codes = [public_client.get(_url(issued)).status_code for _ in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429


@pytest.mark.khmer
@pytest.mark.django_db
def test_khmer_page_shows_revocation_date_reason_and_khmer_digits(cast, public_client):
    from django.utils import timezone

    from khmer.dates import short_date

    order = make_order(cast, state="issued")
    from missions import services as s

    order = s.order_revoke(order=order, by=cast.gdaf_clerk.user, reason="ប្តូរកាលវិភាគ 2 ថ្ងៃ")
    _ready(order)
    page = public_client.get(_url(order), HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert f'<dd class="revoked-on">{short_date(timezone.localdate())}</dd>' in page
    assert '<dd class="revoked-reason">ប្តូរកាលវិភាគ ២ ថ្ងៃ</dd>' in page
    assert "(កំណែទី ២)" in page and "កំណែទី 2" not in page
