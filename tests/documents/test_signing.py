"""The issued PDF is PDF/A-3b and signed by the issuer (PAdES); a tampered or unsigned copy is
reported plainly by the check, the command and the verification page."""

import io

import pytest
from django.core.management import call_command

from missions.rendering import render_document
from missions.documents.signing import check_pdf
from missions.models import OrderDocument
from tests.factories import make_order, pdf_bytes


@pytest.fixture
def ready(cast):
    order = make_order(cast, state="issued")
    doc = OrderDocument.objects.get(order=order)
    assert render_document(doc.pk) == "ready"
    doc.refresh_from_db()
    return doc


def _data(doc):
    with doc.file.open("rb") as fh:
        return fh.read()


@pytest.mark.django_db
def test_issued_pdf_is_pdfa3b_and_signed_by_the_issuer(ready, tmp_path):
    import pikepdf

    data = _data(ready)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "B"
        assert "/OutputIntents" in pdf.Root
        fields = pdf.Root.AcroForm.Fields
        assert any(f.get("/FT") == "/Sig" for f in fields)
    result = check_pdf(data)
    assert result.status == "valid" and "Ministry of Civil Service" in result.signer
    with pikepdf.open(io.BytesIO(data)) as pdf:  # qpdf's structural check
        assert pdf.check_pdf_syntax() == []


@pytest.mark.django_db
def test_tampered_and_unsigned_copies_are_reported(ready, tmp_path, capsys):
    data = _data(ready)
    i = data.index(b"/Title")
    tampered = data[:i] + b"/Titlf" + data[i + 6:]  # one byte inside the signed range
    assert check_pdf(tampered).status == "tampered"
    # a change saved as an incremental update after the signature (the signed bytes stay intact)
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    info = writer.root
    info[NameObject("/Lang")] = TextStringObject("en")
    writer.update_root()
    updated = io.BytesIO()
    writer.write(updated)
    result = check_pdf(updated.getvalue())
    assert result.status == "tampered" and "after the signature" in result.detail
    assert check_pdf(pdf_bytes()).status == "unsigned"

    good, bad, plain = tmp_path / "good.pdf", tmp_path / "bad.pdf", tmp_path / "plain.pdf"
    good.write_bytes(data), bad.write_bytes(tampered), plain.write_bytes(pdf_bytes())
    call_command("verify_order", str(good))
    out = capsys.readouterr().out
    assert "Result: GENUINE" in out and f"version {ready.version}" in out and ready.sha256 in out
    for path, words in ((bad, "Result: TAMPERED"), (plain, "Result: NOT GENUINE (unsigned copy)")):
        with pytest.raises(SystemExit) as exit_:
            call_command("verify_order", str(path))
        assert exit_.value.code == 1 and words in capsys.readouterr().out


@pytest.mark.django_db
def test_a_signature_by_another_key_is_not_trusted(ready, tmp_path, settings):
    from missions.documents.signing import make_demo_certificates, sign_pdf

    other_ca, other_key = make_demo_certificates(tmp_path / "other", "x", common_name="Somebody else")
    trusted = settings.PDF_SIGNING_TRUST
    settings.PDF_SIGNING_P12, settings.PDF_SIGNING_PASSWORD = str(other_key), "x"
    forged = sign_pdf(pdf_bytes())
    settings.PDF_SIGNING_TRUST = trusted
    assert check_pdf(forged).status == "untrusted"


def test_make_signing_cert_makes_a_demo_key_once(tmp_path, settings):
    from pathlib import Path

    from missions.documents.signing import signer

    settings.VAR_DIR = tmp_path
    settings.PDF_SIGNING_P12 = str(tmp_path / "signing" / "signer.p12")
    settings.PDF_SIGNING_TRUST = str(tmp_path / "signing" / "ca.pem")
    settings.PDF_SIGNING_PASSWORD = settings.PDF_SIGNING_DEMO_PASSWORD
    call_command("make_signing_cert")
    first = Path(settings.PDF_SIGNING_P12).read_bytes()
    call_command("make_signing_cert")
    assert Path(settings.PDF_SIGNING_P12).read_bytes() == first  # kept
    assert "Demo CA" not in signer().signing_cert.subject.human_friendly
    assert check_pdf(pdf_bytes()).status == "unsigned"


def test_signing_and_checking_work_inside_a_running_event_loop(signing_files, settings):
    """A render can run in a thread that already runs an event loop (a browser-driven test, an async
    server): pyHanko's sync wrappers would fail there."""
    import asyncio
    import threading

    from missions.documents.signing import sign_pdf

    async def inside():
        return check_pdf(sign_pdf(pdf_bytes())).status

    # In a thread of its own: this one may already run a loop (Playwright's, when the browser tests ran first).
    result = {}
    thread = threading.Thread(target=lambda: result.update(status=asyncio.run(inside())))
    thread.start()
    thread.join()
    assert result["status"] == "valid"


@pytest.mark.django_db
def test_the_stored_signing_certificate_attribute_signs_what_pyhanko_would(ready):
    """The signer's signed attributes (content type, digest, signing certificate) are pyHanko's own:
    the stored signing-certificate-v2 value is byte for byte the one pyHanko builds."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from missions.documents.signing import sign_pdf, signer

    unsigned = pdf_bytes()

    def signed_attributes(data):
        info = PdfFileReader(io.BytesIO(data)).embedded_signatures[0].signer_info
        return [(a["type"].native, a["values"].dump()) for a in info["signed_attrs"]
                if a["type"].native != "message_digest"]

    ours = sign_pdf(unsigned)
    issuer = signer()
    spec, issuer.signed_attr_prov_spec = issuer.signed_attr_prov_spec, None  # pyHanko's default attributes
    try:
        theirs = sign_pdf(unsigned)
    finally:
        issuer.signed_attr_prov_spec = spec
    assert [kind for kind, _ in signed_attributes(ours)] == ["content_type", "signing_certificate_v2"]
    assert signed_attributes(ours) == signed_attributes(theirs)
    assert check_pdf(ours).status == check_pdf(theirs).status == "valid"
