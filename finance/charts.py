"""Charts drawn on the server as SVG (no script, no CDN: the page's CSP stays strict).

The province map is a tile map: each of the 25 capital and provinces is one tile, placed on a grid in
its place in the country (north up, Thailand to the left, Viet Nam to the right), shaded by its
traveller-days. A tile map needs no boundary data and keeps every province, even Kep, large enough to
read and to hover.
"""

from html import escape

from django.utils.translation import gettext as _

from common.language import reads_english
from khmer.digits import to_khmer_digits
from ministry.models import Province

# ISO 3166-2 code → (column, row) of the tile
TILES = {
    "KH-1": (1, 0), "KH-22": (2, 0), "KH-13": (3, 0), "KH-19": (4, 0), "KH-16": (5, 0),
    "KH-24": (0, 1), "KH-2": (1, 1), "KH-17": (2, 1), "KH-6": (3, 1), "KH-10": (4, 1), "KH-11": (5, 1),
    "KH-15": (1, 2), "KH-4": (2, 2), "KH-3": (3, 2), "KH-25": (4, 2),
    "KH-9": (0, 3), "KH-5": (1, 3), "KH-12": (2, 3), "KH-14": (3, 3), "KH-20": (4, 3),
    "KH-18": (0, 4), "KH-7": (1, 4), "KH-8": (2, 4),
    "KH-23": (1, 5), "KH-21": (2, 5),
}
SHADES = ["#eef3f8", "#c6d9ec", "#8fb4da", "#4f86bf", "#1f5a99", "#0b3466"]
TILE_W, TILE_H, GAP = 104, 58, 6


def _digits(n) -> str:
    return str(n) if reads_english() else to_khmer_digits(str(n))


def _shade(value: int, top: int) -> str:
    if not value or not top:
        return SHADES[0]
    step = min(len(SHADES) - 1, 1 + int((value / top) * (len(SHADES) - 2) + 0.5))
    return SHADES[step]


def province_map(days_by_code: dict[str, int]) -> str:
    """An SVG tile map of the 25 provinces shaded by traveller-days."""
    en = reads_english()
    provinces = {p.code: p for p in Province.objects.all()}
    top = max(days_by_code.values(), default=0)
    width, height = 6 * (TILE_W + GAP), 6 * (TILE_H + GAP) + 40
    title = _("Traveller-days by province")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'class="chart province-map" aria-label="{escape(title)}">']
    for code, (col, row) in TILES.items():
        p = provinces.get(code)
        if p is None:
            continue
        value = days_by_code.get(code, 0)
        x, y = col * (TILE_W + GAP), row * (TILE_H + GAP)
        name = p.name_en if en else p.name_km
        fill = _shade(value, top)
        ink = "#ffffff" if fill in SHADES[3:] else "#10243a"
        parts.append(
            f'<g class="tile" data-code="{code}"><title>{escape(name)}: {_digits(value)}</title>'
            f'<rect x="{x}" y="{y}" width="{TILE_W}" height="{TILE_H}" rx="6" fill="{fill}" stroke="#7a8da3" '
            f'stroke-width="1"/>'
            f'<text x="{x + TILE_W / 2}" y="{y + 24}" text-anchor="middle" font-size="12" fill="{ink}">'
            f'{escape(name)}</text>'
            f'<text x="{x + TILE_W / 2}" y="{y + 44}" text-anchor="middle" font-size="14" font-weight="bold" '
            f'fill="{ink}">{_digits(value)}</text></g>')
    # legend
    ly = 6 * (TILE_H + GAP) + 8
    for i, shade in enumerate(SHADES):
        parts.append(f'<rect x="{i * 34}" y="{ly}" width="30" height="14" fill="{shade}" stroke="#7a8da3"/>')
    parts.append(f'<text x="{len(SHADES) * 34 + 6}" y="{ly + 12}" font-size="12" fill="#10243a">'
                 f'0 – {_digits(top)} {escape(_("traveller-days"))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def month_bars(by_month: list[dict], key: str = "traveller_days") -> str:
    """An SVG bar chart of the twelve months."""
    values = [row.get(key) or 0 for row in by_month]
    top = max(values, default=0) or 1
    bar, gap, height = 34, 10, 160
    width = 12 * (bar + gap)
    title = _("Traveller-days by month")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 40}" role="img" '
             f'class="chart month-bars" aria-label="{escape(title)}">']
    for i, value in enumerate(values):
        h = round(value / top * height)
        x = i * (bar + gap)
        parts.append(f'<g><title>{_digits(i + 1)}: {_digits(value)}</title>'
                     f'<rect x="{x}" y="{height - h}" width="{bar}" height="{h}" fill="#1f5a99"/>'
                     f'<text x="{x + bar / 2}" y="{height + 16}" text-anchor="middle" font-size="12" '
                     f'fill="#10243a">{_digits(i + 1)}</text>'
                     f'<text x="{x + bar / 2}" y="{max(height - h - 4, 12)}" text-anchor="middle" font-size="10" '
                     f'fill="#10243a">{_digits(value) if value else ""}</text></g>')
    parts.append("</svg>")
    return "".join(parts)
