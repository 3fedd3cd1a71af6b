"""One Khmer word per idea: the texts follow docs/GLOSSARY.md.

The glossary's table lists, per idea, the decided Khmer wording and the superseded ones. These tests read it
(`portal.glossary`) and scan the Khmer catalogue's translations, every template and the apps' Python sources:
a superseded wording that comes back — in an entry added later too — fails here, naming file and line.
"""
import io
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal import glossary

ROOT = Path(__file__).resolve().parent.parent


def test_the_glossary_table_is_complete_and_its_patterns_compile():
    rows = glossary.terms()
    keys = [t.key for t in rows]
    assert len(rows) >= 20 and len(keys) == len(set(keys))
    for term in rows:
        assert term.khmer and term.english and term.where and term.fix in {"replace", "hand"}, term.key
        assert all(re.search("[\u1780-\u17ff]", k) or k in ("Telegram",) for k in term.khmer), term.key
        term.patterns()  # every superseded wording is a valid regular expression
    # the terms the instruction and terminology.md decide are there
    decided = {t.key: t.decided for t in rows}
    assert decided["approval-in-principle"] == "គោលការណ៍ឯកភាពពីថ្នាក់ដឹកនាំក្រសួង"
    assert decided["result-report"] == "របាយការណ៍លទ្ធផលការងារ"
    assert decided["visa-sentence"] == "ទិដ្ឋាការចុះធ្វើដំណើរ"
    assert decided["invitation"] == "លិខិតអញ្ជើញពីអង្គភាពពាក់ព័ន្ធ"
    assert decided["cabinet"] == "ខុទ្ទកាល័យ"


def test_a_replacement_never_writes_a_superseded_wording():
    rows = glossary.terms()
    for term in (t for t in rows if t.fix == "replace"):
        for other in rows:
            for pattern in other.patterns():
                assert not pattern.search(term.decided), (term.key, other.key, pattern.pattern)


def test_no_superseded_wording_is_left_in_the_catalogue_templates_or_sources():
    hits = glossary.violations()
    assert hits == [], "superseded Khmer wordings (docs/GLOSSARY.md):\n" + "\n".join(map(str, hits))


def test_every_decided_wording_is_used():
    assert [t.key for t in glossary.missing()] == []


def test_the_scan_reads_translations_templates_and_python_but_not_msgids(settings, tmp_path):
    """A small project: the check finds a superseded wording in a translation, a template and a Python string,
    never in a msgid; --apply rewrites the 'replace' rows and leaves msgids and 'hand' rows alone."""
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "GLOSSARY.md", tmp_path / "docs" / "GLOSSARY.md")
    po = tmp_path / "locale" / "km" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Language: km\\n"\n\n'
                  'msgid "ដកហូត stays in a msgid"\nmsgstr "បានដកហូត"\n\n'
                  'msgid "Long"\nmsgstr ""\n"ទៅខេត្តគោលដៅ "\n"ហើយ"\n\n'
                  'msgid "Draft"\nmsgstr "ព្រាង"\n', encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>កាលបរិច្ឆេទយល់ព្រម</p>\n", encoding="utf-8")
    (tmp_path / "missions").mkdir()
    (tmp_path / "missions" / "labels.py").write_text('LABEL = "លិខិតបញ្ជា"\nLINK = "ភ្ជាប់តេឡេក្រាមម្តងទៀត"\n',
                                                    encoding="utf-8")
    settings.BASE_DIR = tmp_path

    found = {(str(h.path), h.term.key) for h in glossary.violations()}
    assert found == {
        ("locale/km/LC_MESSAGES/django.po", "revoke"),
        ("locale/km/LC_MESSAGES/django.po", "destination"),
        ("locale/km/LC_MESSAGES/django.po", "draft"),
        ("templates/page.html", "approval-in-principle"),
        ("missions/labels.py", "mission-order"),
        ("missions/labels.py", "telegram"),
    }
    with pytest.raises(CommandError):
        call_command("terms", stdout=io.StringIO())

    assert glossary.apply() == 5
    text = po.read_text(encoding="utf-8")
    assert 'msgid "ដកហូត stays in a msgid"\nmsgstr "បានទុកជានិរាករណ៍"' in text
    assert '"ទៅខេត្តទិសដៅ "' in text and 'msgstr "សេចក្តីព្រាង"' in text
    assert (tmp_path / "missions" / "labels.py").read_text(encoding="utf-8") == (
        'LABEL = "លិខិតបញ្ជាបេសកកម្ម"\nLINK = "ភ្ជាប់ Telegram ម្តងទៀត"\n')
    # a 'hand' row is only reported: the sentence needs rewording
    assert [h.term.key for h in glossary.violations()] == ["approval-in-principle"]


def test_the_pdf_names_the_means_of_travel_as_the_screens_do():
    """The order PDF words the means of travel from the catalogue (missions/documents/render.py), as the screens."""
    from missions.documents.render import means_label

    assert [means_label(code, "km") for code in ("ministry_car", "private_car", "bus", "plane", "boat", "train",
                                                  "motorbike")] == [
        "រថយន្តក្រសួង", "រថយន្តផ្ទាល់ខ្លួន", "រថយន្តក្រុង", "យន្តហោះ", "ទូក", "រថភ្លើង", "ម៉ូតូ"]
    assert means_label("plane", "en") == "Plane" and means_label("walking", "km") == "walking"
