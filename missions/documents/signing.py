"""The issuer's digital signature on the order PDF (PAdES, made with pyHanko), and its check.

The signing key and certificate come from a PKCS#12 file (``PDF_SIGNING_P12``) and its password
(``PDF_SIGNING_PASSWORD``); signatures are trusted when their certificate chains to one of the
certificates in ``PDF_SIGNING_TRUST`` (PEM). In production these are the ministry's own; the
embedded default uses a demo CA and signing certificate that ``manage.py make_signing_cert`` makes
under ``var/signing/`` (``scripts/up.sh`` runs it).

Any PDF reader shows who signed. ``check_pdf`` answers, for a file someone holds, whether it carries
a signature, whether the signed bytes are intact and cover the whole file, and who signed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from asn1crypto import pem, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import attributes, fields, signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_cms import CAdESSignedAttributeProviderSpec, PdfCMSSignedAttributes
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

log = logging.getLogger(__name__)

FIELD = "IssuerSignature"

_signer_cache: dict = {}
_trust_cache: dict = {}
_reserve_cache: dict = {}


def _stamp(path: Path):
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ImproperlyConfigured(
            f"The PDF signing file {path} is missing: run `manage.py make_signing_cert` (demo) or set "
            "PDF_SIGNING_P12 and PDF_SIGNING_PASSWORD."
        ) from None
    return (str(path), stat.st_mtime_ns, stat.st_size)


class _StoredSigningCertificate(attributes.SigningCertificateV2Provider):
    """pyHanko's signing-certificate-v2 attribute (which certificate signed), made once per certificate
    and read back from its DER for each signature: the same value, but read rather than built, so it
    is written out as read instead of encoded again wherever pyHanko writes the signed attributes
    (about half of the signing time)."""

    def __init__(self, signing_cert):
        super().__init__(signing_cert)
        self.der = attributes.as_signing_certificate_v2(signing_cert).dump()

    async def build_attr_value(self, dry_run=False):
        return tsp.SigningCertificateV2.load(self.der)


class _PadesAttributes(CAdESSignedAttributeProviderSpec):
    """The signed attributes pyHanko gives a PAdES signature, with the signing certificate's stored."""

    def __init__(self, signing_cert):
        super().__init__(attr_settings=PdfCMSSignedAttributes(), signing_cert=signing_cert, is_pades=True,
                         timestamper=None)
        self.stored = _StoredSigningCertificate(signing_cert)

    def signed_attr_providers(self, data_digest, digest_algorithm):
        for provider in super().signed_attr_providers(data_digest, digest_algorithm):
            yield self.stored if isinstance(provider, attributes.SigningCertificateV2Provider) else provider


def signer():
    """The issuer's signer, loaded once per process (again when the file changes)."""
    path = Path(settings.PDF_SIGNING_P12)
    key = (_stamp(path), settings.PDF_SIGNING_PASSWORD)
    if key not in _signer_cache:
        password = settings.PDF_SIGNING_PASSWORD.encode() if settings.PDF_SIGNING_PASSWORD else None
        loaded = signers.SimpleSigner.load_pkcs12(str(path), passphrase=password)
        if loaded is None:
            raise ImproperlyConfigured(f"Cannot read the PDF signing key in {path} (wrong PDF_SIGNING_PASSWORD?).")
        loaded.signed_attr_prov_spec = _PadesAttributes(loaded.signing_cert)
        _signer_cache.clear()
        _signer_cache[key] = loaded
    return _signer_cache[key]


def trust_roots():
    """The certificates a signature must chain to (PEM file ``PDF_SIGNING_TRUST``)."""
    path = Path(settings.PDF_SIGNING_TRUST)
    key = _stamp(path)
    if key not in _trust_cache:
        data = path.read_bytes()
        certs = [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
        _trust_cache.clear()
        _trust_cache[key] = certs
    return _trust_cache[key]


def _run(make_coroutine):
    """Run pyHanko's async API to completion, also from a thread whose event loop is already running
    (then in a thread of its own): its sync wrappers call ``asyncio.run`` and fail there."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def _reserved(issuer) -> int:
    """Bytes to reserve in the PDF for the signature container of ``issuer``, worked out once per signer.

    pyHanko otherwise signs a dummy digest before every signature to learn its size (half the signing
    time). The container holds the same certificates and signed attributes (content type, digest,
    signing time, signing certificate) for every order — the reason and place are in the PDF's
    signature dictionary, not in it — so one dry run per signer gives the size, kept with pyHanko's
    margin of 50 %."""
    key = (issuer.signing_cert.sha256, tuple(sorted(c.sha256 for c in issuer.cert_registry)))
    if key not in _reserve_cache:
        digest = hashes.Hash(hashes.SHA256()).finalize()
        attrs = PdfCMSSignedAttributes(signing_time=datetime.datetime.now(datetime.timezone.utc))
        dummy = _run(lambda: issuer.async_sign(digest, "sha256", dry_run=True, use_pades=True,
                                               signed_attr_settings=attrs))
        size = len(dummy.dump()) * 2  # written as a hexadecimal string
        _reserve_cache.clear()
        _reserve_cache[key] = size + 2 * (size // 4)
    return _reserve_cache[key]


def sign_pdf(data: bytes, *, reason: str = "", location: str = "") -> bytes:
    """``data`` (a PDF) with the issuer's PAdES signature added as an incremental update."""
    issuer = signer()
    reserved = _reserved(issuer)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
    )
    out = io.BytesIO()
    pdf_signer = signers.PdfSigner(meta, signer=issuer, new_field_spec=fields.SigFieldSpec(FIELD))
    _run(lambda: pdf_signer.async_sign_pdf(writer, bytes_reserved=reserved, output=out))
    return out.getvalue()


@dataclass
class SignatureCheck:
    """``status``: "valid" (intact, covers the whole file, chains to a trusted certificate),
    "untrusted" (intact but by a certificate we do not trust), "tampered" (changed after signing,
    or unreadable), "unsigned"."""

    status: str
    signer: str = ""
    signed_at: datetime.datetime | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "valid"


def check_pdf(data: bytes) -> SignatureCheck:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # not a PDF, or broken beyond reading
        return SignatureCheck("tampered", detail=f"unreadable: {exc.__class__.__name__}")
    if not signatures:
        return SignatureCheck("unsigned")
    sig = signatures[-1]
    try:
        context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False)
        status = _run(lambda: async_validate_pdf_signature(sig, context))
    except (SignatureValidationError, ValueError, KeyError) as exc:
        return SignatureCheck("tampered", detail=str(exc)[:200])
    name = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    when = status.signer_reported_dt
    if not status.intact or not status.valid:
        return SignatureCheck("tampered", name, when, "the signed bytes were changed")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SignatureCheck("tampered", name, when, "content was added after the signature")
    if not status.trusted:
        return SignatureCheck("untrusted", name, when, "the certificate is not the issuer's")
    return SignatureCheck("valid", name, when)


# --- the demo CA and signing certificate -------------------------------------------------------------


def make_demo_certificates(folder: Path, password: str, *, common_name: str = "Ministry of Civil Service (demo)",
                           now: datetime.datetime | None = None) -> tuple[Path, Path]:
    """Make a demo CA (``ca.pem``) and a signing certificate issued by it with its key (``signer.p12``,
    protected by ``password``) in ``folder``. For the embedded default and tests, never production."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    folder.mkdir(parents=True, exist_ok=True)

    def name(cn):
        return x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KH"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ministry of Civil Service (demo)"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name("Mission Orders Demo CA")
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(name(common_name)).issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, p12_path = folder / "ca.pem", folder / "signer.p12"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    p12 = pkcs12.serialize_key_and_certificates(
        b"signer", key, cert, [ca], serialization.BestAvailableEncryption(password.encode())
    )
    p12_path.write_bytes(p12)
    p12_path.chmod(0o600)
    return ca_path, p12_path
