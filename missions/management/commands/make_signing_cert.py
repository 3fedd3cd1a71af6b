"""Make the demo CA and the issuer's demo signing certificate for the order PDFs (embedded default).

Does nothing when the PKCS#12 file is there already (``--force`` makes new ones) or when
PDF_SIGNING_P12 points elsewhere than var/signing/ (production brings its own key)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from missions.documents.signing import make_demo_certificates


class Command(BaseCommand):
    help = "Make a demo CA and signing certificate for the order PDFs under var/signing/."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="replace an existing demo key")

    def handle(self, *args, force=False, **options):
        p12, trust = Path(settings.PDF_SIGNING_P12), Path(settings.PDF_SIGNING_TRUST)
        folder = Path(settings.VAR_DIR) / "signing"
        if p12.parent != folder or trust.parent != folder:
            self.stdout.write(f"PDF_SIGNING_P12 is {p12}: the configured key is used, no demo key made.")
            return
        if p12.exists() and trust.exists() and not force:
            self.stdout.write(f"The signing key is in {p12}.")
            return
        if settings.PDF_SIGNING_PASSWORD != settings.PDF_SIGNING_DEMO_PASSWORD:
            self.stdout.write("PDF_SIGNING_PASSWORD is set: the demo key is protected by it.")
        ca, key = make_demo_certificates(folder, settings.PDF_SIGNING_PASSWORD)
        self.stdout.write(self.style.SUCCESS(f"Demo CA {ca} and signing key {key} made (not for production)."))
