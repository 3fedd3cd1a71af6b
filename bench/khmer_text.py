"""Copy-paste fidelity of the Khmer text of the order PDF: the share of its phrases that
``pdftotext`` (poppler) gives back intact.

Usage:  .venv/bin/python bench/khmer_text.py

A throwaway database gets the demo organisation and one issued order; its Khmer PDF is rendered
exactly as issued (PDF/A-3b, signed) and read back with ``pdftotext -enc UTF-8``. Each phrase is a
fixed text or a value printed on the order (letterhead, title, labels, the purpose, names, units,
places, dates). A phrase counts as intact when it appears in the extracted text once spaces, line
breaks and U+200B are removed on both sides (the page layout may split a phrase over two lines).
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

FIXED = [
    ("Muol Light", "ព្រះរាជាណាចក្រកម្ពុជា"), ("Muol Light", "ជាតិ សាសនា ព្រះមហាក្សត្រ"),
    ("Muol Light", "ក្រសួងមុខងារសាធារណៈ"), ("Muol Light", "លិខិតបញ្ជាបេសកកម្ម"), ("Muol Light", "ទិដ្ឋាការធ្វើដំណើរ"),
    ("Muol Light", "បញ្ជាឱ្យ"), ("Muol Light", "ចម្លងជូន"),
    ("Siemreap", "ធ្វើដំណើរទៅកាន់"), ("Siemreap", "មានភារកិច្ច"), ("Siemreap", "មធ្យោបាយធ្វើដំណើរ"),
    ("Siemreap", "សូមអាជ្ញាធរពាក់ព័ន្ធ"), ("Siemreap", "មេត្តាផ្តល់ការសម្រួល"), ("Siemreap", "ផ្ទៀងផ្ទាត់លិខិតនេះ"),
    ("Siemreap", "កន្លែងចេញដំណើរ និងមកដល់"), ("Siemreap", "សេចក្តីបញ្ជាក់ ហត្ថលេខា និងត្រា"), ("Siemreap", "ត្រឡប់មកវិញ"),
    ("Siemreap", "ឧទ្ទេសនាមមន្ត្រីរាជការ"), ("Siemreap", "រថយន្តក្រសួង"), ("Siemreap", "ទំព័រ"),
]


def squash(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch != "\u200b")


def main():
    with tempfile.TemporaryDirectory(prefix="bench-khmer-") as temp:
        os.environ["PORTAL_VAR_DIR"] = temp
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("make_signing_cert", verbosity=0)
        sys.argv = sys.argv[:1]
        from bench.pdf import _orders
        from missions.documents.render import order_sheet, render_pdf

        order = _orders(1)[0]
        sheet = order_sheet(order, "km")
        phrases = list(FIXED) + [("Siemreap", sheet.purpose), ("Siemreap", sheet.solar_line), ("Siemreap", sheet.lunar_line)]
        phrases += [("Siemreap", t.name) for t in sheet.travellers] + [("Siemreap", t.unit) for t in sheet.travellers]
        phrases += [("Siemreap", d) for d in sheet.destinations]
        path = Path(temp) / "order.pdf"
        path.write_bytes(render_pdf(order, "km"))
        text = squash(subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                                     check=True).stdout)
        by_font: dict[str, list[bool]] = {}
        for font, phrase in phrases:
            ok = squash(phrase) in text
            by_font.setdefault(font, []).append(ok)
            print(("intact  " if ok else "garbled ") + phrase)
        total = [ok for oks in by_font.values() for ok in oks]
        for font, oks in by_font.items():
            print(f"{font}: {sum(oks)}/{len(oks)} phrases intact ({100 * sum(oks) / len(oks):.0f}%)")
        print(f"all: {sum(total)}/{len(total)} ({100 * sum(total) / len(total):.0f}%)")


if __name__ == "__main__":
    main()
