"""Check a mission order PDF: its issuer's signature and its SHA-256 against the stored versions.

    manage.py verify_order FILE

Exit status 0 when the file is a version of an order, signed and intact; 1 otherwise (tampered,
unsigned, unknown)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from missions.documents.verification import check_file


class Command(BaseCommand):
    help = "Check the signature and the hash of a mission order PDF."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        result = check_file(data)
        for line in result.lines():
            self.stdout.write(line)
        if not result.ok:
            raise SystemExit(1)
