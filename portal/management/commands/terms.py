"""List (or fix) the superseded Khmer wordings still in the portal's texts, by docs/GLOSSARY.md."""

from django.core.management.base import BaseCommand, CommandError

from portal import glossary


class Command(BaseCommand):
    help = "Check the catalogue, templates and Python sources against docs/GLOSSARY.md."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true",
                            help="replace the superseded wordings of 'replace' rows by the decided one")

    def handle(self, *args, **options):
        rows = glossary.terms()
        if options["apply"]:
            changed = glossary.apply(rows)
            self.stdout.write(f"{changed} line(s) rewritten; run compilemessages for the catalogue.")
        hits = glossary.violations(rows)
        for hit in hits:
            self.stdout.write(str(hit))
        absent = glossary.missing(rows)
        for term in absent:
            self.stdout.write(f"[{term.key}] the decided wording {term.decided} appears nowhere")
        if hits or absent:
            raise CommandError(f"{len(hits)} superseded wording(s), {len(absent)} decided wording(s) unused")
        self.stdout.write(f"{len(rows)} terms: the texts follow the glossary.")
