"""The decided Khmer wordings (docs/GLOSSARY.md), read as data: what the portal must say and what it must not.

``terms()`` parses the glossary table; ``texts()`` yields every Khmer text the portal shows — the catalogue's
translations, the templates and the Python sources — as (file, line number, line); ``violations()`` lists each
superseded wording still present; ``missing()`` lists decided wordings found nowhere; ``apply()`` rewrites the
superseded wordings of ``replace`` rows into the decided one. Used by ``manage.py terms`` and the test suite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

GLOSSARY = Path("docs") / "GLOSSARY.md"
CATALOGUE = Path("locale") / "km" / "LC_MESSAGES" / "django.po"
TEMPLATES = Path("templates")
SOURCE_DIRS = ("groups", "khmer", "ministry", "missions", "portal")
SKIPPED = {"__pycache__", "migrations"}
_CELL = re.compile(r"(?<!\\)\|")
_CODE = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Term:
    key: str
    idea: str
    khmer: tuple[str, ...]
    english: str
    superseded: tuple[str, ...]
    fix: str
    where: str
    reason: str

    @property
    def decided(self) -> str:
        return self.khmer[0]

    def patterns(self) -> list[re.Pattern]:
        return [re.compile(p) for p in self.superseded]


@dataclass(frozen=True)
class Hit:
    term: Term
    pattern: str
    path: Path
    line: int
    text: str

    def __str__(self):
        return f"{self.path}:{self.line}: [{self.term.key}] «{self.pattern}» → {self.term.decided}: {self.text.strip()[:120]}"


def root() -> Path:
    return Path(settings.BASE_DIR)


def _cells(row: str) -> list[str]:
    return [c.strip().replace("\\|", "|") for c in _CELL.split(row.strip().strip("|"))]


def terms(path: Path | None = None) -> list[Term]:
    """The rows of the glossary's table (the one whose header starts with ``| key |``)."""
    text = (path or root() / GLOSSARY).read_text(encoding="utf-8")
    rows, header = [], None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None if rows else header
            continue
        cells = _cells(line)
        if header is None:
            if cells and cells[0] == "key":
                header = cells
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        row = dict(zip(header, cells))
        rows.append(Term(
            key=row["key"],
            idea=row["idea"],
            khmer=tuple(_CODE.findall(row["Khmer"])),
            english=row["English"],
            superseded=tuple(_CODE.findall(row["superseded"])),
            fix=row["fix"],
            where=row["where used"],
            reason=row["reason"],
        ))
    return rows


def _catalogue_lines(path: Path):
    """The msgstr lines of the catalogue (with their continuation lines), header entry left out."""
    in_msgstr, header, seen = False, False, 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("msgid "):
            seen += 1
            header, in_msgstr = seen == 1 and line == 'msgid ""', False
        elif line.startswith("msgstr"):
            in_msgstr = True
        elif not line.startswith('"'):
            in_msgstr = False
        if in_msgstr and not header:
            yield number, line


def source_files() -> list[Path]:
    """Every file whose Khmer text the portal shows: catalogue, templates, Python sources of the apps."""
    base = root()
    files = [base / CATALOGUE]
    files += sorted(p for p in (base / TEMPLATES).rglob("*") if p.suffix in (".html", ".txt"))
    for folder in SOURCE_DIRS:
        files += sorted(p for p in (base / folder).rglob("*.py") if not SKIPPED.intersection(p.parts))
    return files


def lines(path: Path):
    if path.suffix == ".po":
        yield from _catalogue_lines(path)
    else:
        yield from enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)


def texts():
    """(path relative to the project, line number, line) for every line of text the check reads."""
    base = root()
    for path in source_files():
        for number, line in lines(path):
            yield path.relative_to(base), number, line


def violations(rows: list[Term] | None = None) -> list[Hit]:
    rows = rows if rows is not None else terms()
    compiled = [(t, p.pattern, p) for t in rows for p in t.patterns()]
    hits = []
    for path, number, line in texts():
        for term, source, pattern in compiled:
            if pattern.search(line):
                hits.append(Hit(term, source, path, number, line))
    return hits


def missing(rows: list[Term] | None = None) -> list[Term]:
    """Rows whose decided wording appears nowhere (the glossary changed but the texts did not)."""
    rows = rows if rows is not None else terms()
    corpus = "\n".join(line for _, _, line in texts())
    return [t for t in rows if t.khmer and t.decided not in corpus]


_KHMER_CHAR = re.compile("[\u1780-\u17ff]")


def _replace(pattern: re.Pattern, word: str, text: str) -> str:
    """``pattern`` → ``word`` in ``text``; a Latin word (a product name) put into Khmer text gets a space on each
    side where it meets Khmer script, as Khmer writing sets Latin words apart."""
    if _KHMER_CHAR.search(word):
        return pattern.sub(word, text)

    def spaced(match):
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        return (" " if _KHMER_CHAR.match(before) else "") + word + (" " if _KHMER_CHAR.match(after) else "")

    return pattern.sub(spaced, text)


def apply(rows: list[Term] | None = None) -> int:
    """Replace the superseded wordings of ``replace`` rows by the decided one; returns the number of lines changed.
    In the catalogue only translations change, never a msgid."""
    rows = [t for t in (rows if rows is not None else terms()) if t.fix == "replace" and t.superseded]
    changed = 0
    for path in source_files():
        wanted = {number for number, _ in lines(path)}
        original = path.read_text(encoding="utf-8").split("\n")
        out = []
        for number, line in enumerate(original, start=1):
            new = line
            if number in wanted:
                for term in rows:
                    for pattern in term.patterns():
                        new = _replace(pattern, term.decided, new)
            changed += new != line
            out.append(new)
        if out != original:
            path.write_text("\n".join(out), encoding="utf-8")
    return changed
