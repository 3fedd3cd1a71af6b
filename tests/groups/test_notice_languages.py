"""Every notice says in Khmer all that it says in English (and the other way round).

Each template in templates/groups/notices/ (new ones included: the list is read from the folder) is
rendered with a realistic order driven through the real services to the notice's state, a realistic
post and channel. The text is split by script — a line with Khmer letters or digits belongs to the Khmer
part, a line with Latin letters to the English part, a line with both to both — and the facts found in
each part are compared: the order's number, its dates, the state and what happens next, the reason, the
instruction's point, the PDF attachment, every link. Khmer lines write their numbers in Khmer digits.
"""
import html
import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation

from groups.models import Channel, ChatGroup, Post
from groups.outbox import render_notice
from khmer.dates import short_date, short_date_en
from khmer.digits import to_khmer_digits
from missions.models import MissionOrder
from tests.factories import STATE_PATH, make_order

NOTICES = Path(settings.BASE_DIR) / "templates" / "groups" / "notices"
KINDS = sorted(p.stem for p in NOTICES.glob("*.html") if not p.stem.startswith("_"))
CASES = KINDS + ["post_published+order"]

KHMER = re.compile("[\u1780-\u17ff]")
KHMER_LETTER = re.compile("[\u1780-\u17dd]")
LATIN = re.compile("[A-Za-z]")
URL = re.compile(r"https?://[^\s<>\"]+")
TAG = re.compile(r"<[^>]+>")

# fact: (Khmer wording, English wording). A fact found in one part must be found in the other.
FACTS = {
    "approved": (r"(?<!មិន)ត្រូវបានអនុម័ត", r"(?<!not )\b[Aa]pproved\b"),
    "not approved": (r"មិនត្រូវបានអនុម័ត", r"\bnot approved\b"),
    "awaiting approval": (r"រង់ចាំការអនុម័ត", r"\bawaiting (?:your )?approval\b"),
    "rejected": (r"បដិសេធ", r"\b(?:[Rr]eject(?:ed|ion)|[Rr]efused)\b"),
    "issued": (r"ត្រូវបានចេញ", r"\b(?:was|has been|is) issued\b"),
    "to be issued next": (r"នឹងចេញ", r"\bwill (?:now )?issue\b"),
    "PDF attached": (r"PDF ភ្ជាប់|ភ្ជាប់[^\n]*PDF", r"PDF attached|attached[^\n]*PDF"),
    "overdue": (r"ហួសកំណត់", r"\b[Oo]verdue\b"),
    "instruction 996": (r"សេចក្តីណែនាំលេខ ៩៩៦", r"\bInstruction (?:No\. )?996\b"),
    "point B.3": (r"ខ\.៣", r"\bB\.3\b"),
    "GDAF": (r"អគ្គនាយកដ្ឋានរដ្ឋបាលនិងហិរញ្ញវត្ថុ", r"(?<!\d )\bGDAF\b"),  # not the "No. 007 GDAF" of a number
    "the return": (r"ឯកសារប្រគល់ត្រឡប់", r"\b(?:[Aa]|[Tt]he) (?:mission )?return\b"),
    "to be completed": (r"បំពេញបន្ថែម", r"\bto be completed\b"),
    "to check": (r"ពិនិត្យ", r"\b(?:[Cc]heck|[Rr]eview)\b"),
    "travel visas": (r"ទិដ្ឋាការ", r"\bvisas?\b"),
    "result report": (r"របាយការណ៍លទ្ធផលការងារ", r"\breport on the results\b"),
    "mission order": (r"លិខិតបញ្ជាបេសកកម្ម", r"\b[Mm]ission order\b"),
    "reason": (r"មូលហេតុ", r"\bReason\b"),
    "requested by": (r"ស្នើសុំដោយ", r"\bRequested by\b"),
    "broken": (r"លែងដំណើរការ", r"\bbroken\b"),
    "date": (r"កាលបរិច្ឆេទ", r"\bDate\b"),
    "time": (r"ម៉ោង", r"\bTime\b"),
    "place": (r"ទីកន្លែង", r"\bPlace\b"),
    "agenda": (r"របៀបវារៈ", r"\bAgenda\b"),
}

# The order's state each notice speaks of (a notice not listed here is rendered with an issued order).
STATE_OF = {"order_approved": "approved", "order_issued": "issued", "order_overdue": "issued",
            "order_rejected": "rejected", "order_returned": "returned", "order_sent_back": "sent_back",
            "order_submitted": "submitted", "post_published": "issued", "order_revoked": "revoked",
            "order_cancelled": "cancelled", "order_accepted": "accepted", "order_reassigned": "submitted",
            "order_overdue_escalated": "issued"}


def parts(text: str) -> tuple[str, str]:
    """(Khmer part, English part) of a notice. URLs are left out of the script test: a line that is only
    a link belongs to both parts; tags are dropped and entities read."""
    khmer, english = [], []
    for raw in html.unescape(TAG.sub("", text)).splitlines():
        rest = URL.sub("", raw)
        only_link = URL.search(raw) and not (KHMER.search(rest) or LATIN.search(rest))
        if KHMER.search(rest) or only_link:
            khmer.append(raw)
        if LATIN.search(rest) or only_link:
            english.append(raw)
    return "\n".join(khmer), "\n".join(english)


def facts(khmer: str, english: str) -> tuple[set, set]:
    km = {name for name, (pattern, _) in FACTS.items() if re.search(pattern, khmer)}
    en = {name for name, (_, pattern) in FACTS.items() if re.search(pattern, english)}
    km |= {f"link {u}" for u in URL.findall(khmer)}
    en |= {f"link {u}" for u in URL.findall(english)}
    return km, en


@pytest.fixture
def scene(cast):
    """A realistic order in each state a notice speaks of, a meeting post about an issued order, a channel."""
    for official in (cast.official, cast.colleague, cast.leader):  # names as officials have them, no test digits
        official.name_km = re.sub(r"\d+", "", official.name_km).strip()
        official.save(update_fields=["name_km"])
    states = sorted(set(STATE_OF.values()))
    orders = {state: make_order(cast, state, start=date.today() + timedelta(days=10 + 10 * i) if "issue" not in
                                STATE_PATH[state] else date.today() - timedelta(days=300 - 10 * i))
              for i, state in enumerate(states)}
    overdue = make_order(cast, "issued", start=date.today() - timedelta(days=30))
    overdue.overdue_since = timezone.now()
    overdue.save(update_fields=["overdue_since"])
    group = ChatGroup.objects.create(kind=ChatGroup.Kind.LEADERSHIP, name_km="ក្រុមថ្នាក់ដឹកនាំក្រសួង",
                                     name_en="Ministry leadership group")
    channel = Channel.objects.create(group=group, kind=Channel.Kind.TELEGRAM, chat_id=-1001234567890)
    common = dict(group=group, author=cast.leader, state=Post.State.PUBLISHED)
    meeting = Post.objects.create(
        **common, category=Post.Category.MEETING, title="កិច្ចប្រជុំបូកសរុបការងារប្រចាំខែ",
        body_km="សូមអញ្ជើញថ្នាក់ដឹកនាំគ្រប់អង្គភាពចូលរួម។", meeting_date=date(2026, 12, 25),
        meeting_time=time(8, 30), meeting_place="សាលប្រជុំក្រសួង ជាន់ទី២", agenda="១. លទ្ធផលការងារ")
    issued = orders["issued"]  # as groups.services.post_publish_order writes it
    with translation.override("km"):
        title = issued.display_number
    order_post = Post.objects.create(**common, category=Post.Category.MISSION_ORDER, title=title,
                                     body_km=issued.purpose_km, order=issued)
    rejected = Post.objects.create(
        group=group, author=cast.official, state=Post.State.REJECTED, category=Post.Category.ANNOUNCEMENT,
        title="លក់ម៉ូតូ", body_km="ខ្ញុំមានម៉ូតូមួយគ្រឿងចង់លក់។", reason="ក្រៅតួនាទីភារកិច្ចរបស់ក្រសួង (ចំណុច ក.៤)")
    posts = {"post_published": meeting, "post_published+order": order_post, "post_rejected": rejected}
    return {"orders": orders, "overdue": overdue, "posts": posts, "channel": channel}


def context(case: str, scene) -> dict:
    kind = case.split("+")[0]
    order = scene["overdue"] if kind == "order_overdue" else scene["orders"][STATE_OF.get(kind, "issued")]
    order = MissionOrder.objects.get(pk=order.pk)
    post = scene["posts"].get(case, scene["posts"]["post_published"])
    return {"order": order, "note": order.reason or "ថ្នាក់ដឹកនាំនៅបេសកកម្មក្រៅប្រទេស", "post": post,
            "channel": scene["channel"], "reason": "Forbidden: bot was kicked from the group chat",
            "recipient": order.travellers.first().official}


def render(case: str, scene, language: str) -> str:
    with translation.override(language):
        return render_notice(case.split("+")[0].replace("_", ".", 1), context(case, scene))


def test_the_states_named_here_are_real_states():
    assert set(STATE_OF.values()) <= set(STATE_PATH)
    assert {"order_approved", "order_issued", "order_overdue", "post_published"} <= set(KINDS)


@pytest.mark.parametrize("kind", CASES)
def test_khmer_says_all_the_english_says(cast, scene, kind):
    text = render(kind, scene, "km")
    # the same text whatever the language of whoever caused the notice
    assert render(kind, scene, "en") == text

    khmer, english = parts(text)
    km, en = facts(khmer, english)
    assert khmer and english, text
    assert sorted(en - km) == [], f"said in English only:\n{text}"
    assert sorted(km - en) == [], f"said in Khmer only:\n{text}"

    # the order's number and dates, each part in its own digits
    ctx = context(kind, scene)
    order = ctx["post"].order if kind.startswith("post_") else ctx["order"]
    if kind.startswith("order_") or order is not None and kind == "post_published+order":
        with translation.override("km"):
            number_km = str(order)
        with translation.override("en"):
            number_en = str(order)
        assert number_km in khmer and number_en in english, text
        for d in (order.departure_date, order.return_date):
            assert short_date(d) in khmer and short_date_en(d) in english, text

    # a line in Khmer only (no Latin words) has no Latin digit; links and Telegram ids are not numbers to read
    offenders = []
    for line in html.unescape(TAG.sub("", text)).splitlines():
        rest = re.sub(r"-?\d{6,}", "", URL.sub("", line))
        if KHMER_LETTER.search(rest) and not LATIN.search(rest) and re.search("[0-9]", rest):
            offenders.append(line)
    assert offenders == []


def test_a_khmer_line_short_of_a_fact_is_caught():
    """The comparison itself: the old overdue notice (Khmer without ហួសកំណត់ nor B.3) fails it."""
    old = ("⏰ <b>សូមប្រគល់លិខិតបញ្ជាបេសកកម្មដែលមានទិដ្ឋាការ និងរបាយការណ៍ ទៅអគ្គនាយកដ្ឋានរដ្ឋបាលនិងហិរញ្ញវត្ថុ</b>\n"
           "<b>Overdue: return the order with the travel visas and your report to GDAF</b> (Instruction 996 B.3)")
    km, en = facts(*parts(old))
    assert {"overdue", "instruction 996", "point B.3"} <= en - km


def test_notices_written_while_the_actor_reads_english_are_khmer_first(cast, linked):
    """The event happens in an English request: the notice's text and subject still start in Khmer."""
    from groups.models import Notice

    linked(cast.leader)
    with translation.override("en"):
        order = make_order(cast, "submitted")
    notice = Notice.objects.get(kind="order.submitted", order=order)
    with translation.override("km"):
        assert notice.subject == str(order) == f"សំណើលេខ {to_khmer_digits(order.pk)}"
    assert KHMER.search(notice.text.splitlines()[0])
