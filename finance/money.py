"""Amounts as the reader reads them: Khmer digits and the Khmer currency words on Khmer pages."""

from decimal import Decimal

from common.language import reads_english
from khmer.digits import to_khmer_digits


def usd_text(amount, lang: str | None = None) -> str:
    """``១ ២៣៤.៥០ ដុល្លារ`` / ``USD 1,234.50``."""
    if amount is None or amount == "":
        return ""
    value = Decimal(amount)
    if reads_english(lang):
        return f"USD {value:,.2f}"
    return to_khmer_digits(f"{value:,.2f}".replace(",", " ")) + " ដុល្លារ"


def riel_text(amount, lang: str | None = None) -> str:
    """``៥ ០៦០ ០០០ រៀល`` / ``KHR 5,060,000``."""
    if amount is None or amount == "":
        return ""
    value = int(amount)
    if reads_english(lang):
        return f"KHR {value:,}"
    return to_khmer_digits(f"{value:,}".replace(",", " ")) + " រៀល"


def number_text(value, lang: str | None = None, places: int | None = None) -> str:
    if value is None:
        return ""
    text = f"{value:,.{places}f}" if places is not None else f"{value:,}"
    return text if reads_english(lang) else to_khmer_digits(text.replace(",", " "))
