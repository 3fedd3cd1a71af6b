"""Khmer is the first language of the portal: the catalogue is complete and the pages follow it.

The catalogue is `locale/km/LC_MESSAGES/django.po` (English msgids). These tests read it with the
GNU gettext tools (`msgfmt`, `msgattrib`) that `compilemessages` needs anyway.
"""
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

pytestmark = pytest.mark.khmer

# Every test here runs with the portal's real default language (the suite reads English otherwise).
pytestmark = pytest.mark.khmer

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "km" / "LC_MESSAGES" / "django.po"
# The same folders the catalogue is made without (see the README's makemessages command).
IGNORED = (".venv", "var", "tests", "bench")
SKIPPED_DIRS = {".git", "node_modules", "__pycache__", "media", "staticfiles", "build", "test-results"}
KHMER = re.compile("[\u1780-\u17ff]")
# Entries whose Khmer form is the same word as the English one (product names).
SAME_IN_KHMER = {"PDF", "Telegram"}
# Misspellings of the instruction's own text that must never reach the portal (domain/organisation.md).
MISSPELT = ("ឧទ្ធុកាល័យ", "សាលាកុម្មុយនិស្តរដ្ឋបាល")


def _run(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


def _msgids(po: Path, *selection: str) -> list[str]:
    """The msgids of the entries `msgattrib` selects (e.g. --untranslated, --only-fuzzy), header left out."""
    out = _run("msgattrib", "--no-wrap", *selection, str(po))
    assert out.returncode == 0, out.stderr
    ids = re.findall(r'^msgid "(.*)"$', out.stdout, flags=re.M)
    return [i for i in ids if i]


def _catalogue(po: Path, tmp: Path) -> dict:
    """The catalogue as the running portal sees it: compiled by msgfmt, read by the stdlib."""
    mo = tmp / "django.mo"
    out = _run("msgfmt", "--check", "-o", str(mo), str(po))
    assert out.returncode == 0, out.stderr
    with mo.open("rb") as fh:
        return dict(gettext.GNUTranslations(fh)._catalog)


# --- (a) the committed catalogue is complete --------------------------------------------------------

def test_catalogue_compiles_with_format_checks_and_has_nothing_untranslated_or_fuzzy():
    out = _run("msgfmt", "--check", "--statistics", "-o", os.devnull, str(PO))
    assert out.returncode == 0, out.stderr
    assert "untranslated" not in out.stderr and "fuzzy" not in out.stderr, (
        out.stderr, _msgids(PO, "--untranslated"), _msgids(PO, "--only-fuzzy"))
    assert re.match(r"\d+ translated messages?\.", out.stderr.strip()), out.stderr


def test_catalogue_header_declares_khmer_with_one_plural_form(tmp_path):
    header = _catalogue(PO, tmp_path)[""]
    assert "Language: km\n" in header
    assert "Plural-Forms: nplurals=1; plural=0;" in header
    assert "charset=UTF-8" in header


def test_every_translation_is_written_in_khmer_and_not_with_the_misspelt_names(tmp_path):
    catalogue = _catalogue(PO, tmp_path)
    english_copies, misspelt = [], []
    for key, text in catalogue.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid:
            continue
        if not KHMER.search(text) and not (text == msgid and msgid in SAME_IN_KHMER):
            english_copies.append(msgid)
        if any(word in text for word in MISSPELT):
            misspelt.append(msgid)
    assert not english_copies, f"not translated into Khmer: {english_copies}"
    assert not misspelt, f"misspelt Cabinet/School names: {misspelt}"


# --- (b) every string in the code is in the catalogue -----------------------------------------------

def _source_files() -> list[Path]:
    """Files of the project tree as a developer has it: tracked and new, not ignored by git."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        out = _run("git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=ROOT)
        if out.returncode == 0:
            return [Path(p) for p in out.stdout.split("\0") if p]
    return [p.relative_to(ROOT) for p in ROOT.rglob("*") if p.is_file()]


def test_a_fresh_makemessages_finds_no_string_missing_from_the_catalogue(tmp_path):
    """Adding a wrapped string without translating it fails here, naming the string."""
    tree = tmp_path / "tree"
    for rel in _source_files():
        # bench is an installed app in development (seed_scale): copied so that Django starts, not searched
        if rel.parts[0] in IGNORED and rel.parts[0] != "bench" or SKIPPED_DIRS.intersection(rel.parts):
            continue
        if rel.suffix not in {".py", ".html", ".txt"} and rel != PO.relative_to(ROOT):
            continue
        src = ROOT / rel
        if not src.is_file():  # deleted in the work tree but still in the index
            continue
        dest = tree / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    fresh = tree / PO.relative_to(ROOT)
    assert fresh.is_file()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "PYTHONPATH": str(tree)}
    cmd = [sys.executable, "manage.py", "makemessages", "-l", "km", "--no-obsolete", "-v", "0"]
    cmd += [f"--ignore={d}" for d in IGNORED]
    out = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr

    untranslated = _msgids(fresh, "--untranslated")
    fuzzy = _msgids(fresh, "--only-fuzzy")
    assert not untranslated and not fuzzy, (
        "strings in the code that locale/km/LC_MESSAGES/django.po does not translate "
        f"(run makemessages and translate them): untranslated={untranslated} fuzzy={fuzzy}")
    # The fresh catalogue has every msgid of the code; the committed one must have them all.
    committed = set(_msgids(PO))
    assert set(_msgids(fresh)) <= committed


# --- (c) pages are Khmer by default, English with the language cookie -------------------------------

@pytest.fixture(scope="session")
def compiled_locale(tmp_path_factory):
    """The committed catalogue compiled on its own, so the pages are tested against the .po itself."""
    base = tmp_path_factory.mktemp("locale")
    target = base / "km" / "LC_MESSAGES"
    target.mkdir(parents=True)
    out = _run("msgfmt", "--check", "-o", str(target / "django.mo"), str(PO))
    assert out.returncode == 0, out.stderr
    return base


@pytest.fixture
def khmer_catalogue(settings, compiled_locale):
    assert settings.LANGUAGE_CODE == "km", "Khmer must be the portal's default language"
    settings.LOCALE_PATHS = [compiled_locale]


PAGES = {
    # name: (url name, needs login, Khmer text, English text)
    "login": ("login", False, ["ចូលប្រព័ន្ធ", "ពាក្យសម្ងាត់", "ឈ្មោះអ្នកប្រើ"], ["Log in", "Password", "Username"]),
    "dashboard": ("dashboard", True, ["សូមស្វាគមន៍", "សេចក្តីណែនាំលេខ ៩៩៦", "ស្នើសុំបេសកកម្ម"],
                  ["Welcome", "Instruction No. 996", "Request a mission"]),
    "my missions": ("missions:mine", True, ["បេសកកម្មរបស់ខ្ញុំ", "សំណើថ្មី", "នាំចេញជា CSV"],
                    ["My missions", "New request", "Export CSV"]),
    "new request": ("missions:new", True, ["សំណើបេសកកម្មថ្មី", "រក្សាទុកសេចក្តីព្រាង", "បន្ថែមដំណាក់កាលធ្វើដំណើរ"],
                    ["New mission request", "Save draft", "Add a leg"]),
    "groups": ("groups:index", True, ["ក្រុមរបស់ខ្ញុំ", "សេចក្តីជូនដំណឹងតាម Telegram"], ["My groups", "Telegram notices"]),
}


def _page(client, cast, name: str, language: str | None) -> str:
    url_name, needs_login, _, _ = PAGES[name]
    if needs_login:
        client.force_login(cast.official.user)
    if language:
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_in_khmer_by_default(client, cast, khmer_catalogue, name):
    html = _page(client, cast, name, None)
    _, _, khmer, english = PAGES[name]
    assert '<html lang="km">' in html
    assert [t for t in khmer if t not in html] == []
    assert [t for t in english if t in html] == []


@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_in_english_with_the_language_cookie(client, cast, khmer_catalogue, name):
    html = _page(client, cast, name, "en")
    _, _, khmer, english = PAGES[name]
    assert '<html lang="en">' in html
    assert [t for t in english if t not in html] == []
    assert [t for t in khmer if t in html] == []


def test_choosing_english_then_khmer_through_the_language_switch(client, cast, khmer_catalogue):
    client.force_login(cast.official.user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "My missions" in client.get(reverse("missions:mine")).content.decode()
    client.post(reverse("set_language"), {"language": "km", "next": "/"})
    assert "បេសកកម្មរបស់ខ្ញុំ" in client.get(reverse("missions:mine")).content.decode()


def test_django_own_messages_on_the_portal_are_khmer_too(client, cast, khmer_catalogue):
    """Django's Khmer catalogue leaves the log-in error in English; the portal's catalogue covers it."""
    html = client.post(reverse("login"), {"username": cast.official.user.username, "password": "wrong"}).content.decode()
    assert "សូមបញ្ចូលឈ្មោះអ្នកប្រើ និងពាក្យសម្ងាត់ឱ្យបានត្រឹមត្រូវ។" in html
    assert "Please enter a correct" not in html
    client.force_login(cast.official.user)
    html = client.get(reverse("password_change")).content.decode()
    assert "ពាក្យសម្ងាត់ចាស់" in html and "ពាក្យសម្ងាត់របស់លោកអ្នកមិនត្រូវមានតែលេខសុទ្ធទេ។" in html
    assert "Old password" not in html


def test_interface_khmer_writes_subscript_ta_as_the_instruction_does():
    """ផ្តល់, សេចក្តី, ស្តីពី: the instruction writes subscript ត (្ត) throughout, never ្ដ, and so does the
    interface. Registered place names keep their own spelling (ministry/data/provinces.csv)."""
    coeng_da = "\u17d2\u178a"
    offenders = [str(p.relative_to(ROOT)) for folder in ("templates", "locale", "missions", "groups", "ministry", "portal")
                 for p in (ROOT / folder).rglob("*") if p.suffix in (".html", ".po", ".py", ".txt")
                 and coeng_da in p.read_text(encoding="utf-8")]
    assert offenders == []
