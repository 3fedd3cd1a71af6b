"""One check of a PDF someone holds: its signature (``signing.check_pdf``) and its SHA-256 against
every stored version. Used by the public verification page and ``manage.py verify_order``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..models import OrderDocument
from .signing import SignatureCheck, check_pdf


@dataclass
class FileCheck:
    digest: str
    signature: SignatureCheck
    match: OrderDocument | None

    @property
    def ok(self) -> bool:
        return self.match is not None and self.signature.ok

    @property
    def verdict(self) -> str:
        """"genuine", "tampered", "unsigned", "untrusted" or "unknown" (signed and intact, not ours)."""
        if self.signature.status == "valid":
            return "genuine" if self.match is not None else "unknown"
        return self.signature.status

    def lines(self) -> list[str]:
        sig = self.signature
        out = [f"SHA-256: {self.digest}"]
        if self.match is not None:
            order = self.match.order
            out.append(f"Order: {order.year}-{order.number:03d}, version {self.match.version} ({self.match.language})")
        else:
            out.append("Order: this file is not a version stored by the portal")
        signed = f" by {sig.signer}" if sig.signer else ""
        when = f" on {sig.signed_at:%Y-%m-%d %H:%M %Z}" if sig.signed_at else ""
        out.append({
            "valid": f"Signature: valid{signed}{when}",
            "untrusted": f"Signature: intact, but{signed} is not a trusted issuer",
            "tampered": f"Signature: BROKEN — the file was changed after signing ({sig.detail})",
            "unsigned": "Signature: NONE — this file is not signed",
        }[sig.status])
        out.append({
            "genuine": "Result: GENUINE",
            "unknown": "Result: signed by the issuer, but not a stored version",
            "untrusted": "Result: NOT GENUINE (unknown signer)",
            "tampered": "Result: TAMPERED",
            "unsigned": "Result: NOT GENUINE (unsigned copy)",
        }[self.verdict])
        return out


def check_file(data: bytes, order=None) -> FileCheck:
    digest = hashlib.sha256(data).hexdigest()
    docs = OrderDocument.objects.filter(sha256=digest, status=OrderDocument.Status.READY).select_related("order")
    if order is not None:
        docs = docs.filter(order=order)
    return FileCheck(digest=digest, signature=check_pdf(data), match=docs.order_by("-version").first())
