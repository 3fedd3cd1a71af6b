"""Khmer sentences count in Khmer digits.  Every page of every role is rendered in Khmer, with orders in
every state, and the messages the actions leave are collected; a Latin digit in Khmer text fails the
test unless it belongs to a phone number, an identifier (civil-service ID, hash, code of a standard) or
an address.  English inside a Khmer page (``lang="en"``) and what the user typed into inputs are left out."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from khmer.digits import to_khmer_digits
from ministry.models import Official, Unit
from missions.models import LegStamp, State
from tests.factories import make_order
from tests.test_i18n import compiled_locale, khmer_catalogue  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.khmer, pytest.mark.django_db]

ALLOWED = [
    re.compile(r"https?://\S+|/[\w\-./?=&%#]+"),  # addresses
    re.compile(r"\+?855[\d\s\-]{6,}|\b0\d{1,2}[\s\-]?\d{3}[\s\-]?\d{3,4}\b"),  # Cambodian phone numbers
    re.compile(r"\b[A-Z]{1,4}-?\d{3,}\b"),  # civil-service IDs (T000014)
    re.compile(r"\b[0-9a-f]{32,}\b"),  # SHA-256 and other fingerprints
    re.compile(r"\bISO 3166(-\d)?\b|\bSHA-256\b|\bKH-\d+\b|\bB\.[123]\b"),  # names of standards and clauses
]
SKIP_TAGS = {"script", "style", "code", "textarea", "option", "svg"}
SPOKEN_ATTRS = ("placeholder", "aria-label", "title", "alt", "data-label")


class KhmerText(HTMLParser):
    """The text a Khmer reader reads or hears: text nodes and spoken attributes, outside English parts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open_tags, self.texts = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "br", "img", "meta", "link", "hr", "source"):
            self._attrs(attrs)
            return
        skip = tag in SKIP_TAGS or attrs.get("lang", "").startswith("en")
        self.open_tags.append((tag, bool(skip or (self.open_tags and self.open_tags[-1][1]))))
        self._attrs(attrs)

    def _attrs(self, attrs):
        if (self.open_tags and self.open_tags[-1][1]) or attrs.get("lang", "").startswith("en"):
            return
        self.texts += [attrs[a] for a in SPOKEN_ATTRS if attrs.get(a)]

    def handle_endtag(self, tag):
        while self.open_tags:
            if self.open_tags.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not (self.open_tags and self.open_tags[-1][1]) and data.strip():
            self.texts.append(data.strip())


def latin_digits(text: str) -> list[str]:
    """Pieces of Khmer ``text`` written with Latin digits that are not allowed identifiers."""
    if not re.search(r"[\u1780-\u17ff]", text):
        return []  # not a Khmer sentence (a lone code, an English name of a product)
    for pattern in ALLOWED:
        text = pattern.sub(" ", text)
    return re.findall(r"\S*[0-9]\S*", text)


BILINGUAL = re.compile(r" · | — |[()]")  # "លេខ ០០១ អ.ប.ហ. · No. 001 GDAF": each language on its own side


def offenders(html: str) -> list[str]:
    parser = KhmerText()
    parser.feed(html)
    parser.close()
    return [f"{bad!r} in {part[:90]!r}" for part in parser.texts for side in BILINGUAL.split(part)
            for bad in latin_digits(side)]


def test_the_checker_itself():
    assert latin_digits("ដំណាក់កាលធ្វើដំណើរទី 1") == ["1"]
    assert latin_digits("ដំណាក់កាលធ្វើដំណើរទី ១") == []
    assert latin_digits("ទូរស័ព្ទ 012 345 678 · អត្តលេខ T000014") == []
    assert latin_digits("Page 1 of 2") == []  # English
    assert offenders('<p>ថ្ងៃ <span lang="en">12 May</span></p><input value="10/01/2027">') == []
    assert offenders('<p aria-label="ទំព័រ 2">x</p>') == ["'2' in 'ទំព័រ 2'"]


@pytest.fixture
def khmer_names(cast):
    """The cast's Khmer names carry a counter in Latin digits; written as a Khmer reader would write them."""
    for official in Official.objects.all():
        Official.objects.filter(pk=official.pk).update(name_km=to_khmer_digits(official.name_km))
    for unit in Unit.objects.filter(name_km__regex=r"[0-9A-Z]"):
        Unit.objects.filter(pk=unit.pk).update(name_km=f"នាយកដ្ឋាន{to_khmer_digits(unit.pk)}")
    return cast


ROLES = ("official", "leader", "gdaf_clerk", "returns_clerk", "head")


def _pages(cast, orders, role):
    every = ["dashboard", "missions:mine", "missions:new", "groups:index", "ministry:profile", "ministry:people",
             "password_change"]
    per_role = {
        "official": every,
        "leader": every + ["missions:approvals", "missions:delegations", "missions:unit"],
        "gdaf_clerk": every + ["missions:to_issue"],
        "returns_clerk": every + ["missions:returns"],
        "head": every + ["missions:unit", "missions:approvals"],
    }
    urls = [reverse(n) for n in per_role[role]]
    for order in orders:
        urls.append(reverse("missions:detail", args=[order.pk]))
        urls += [reverse("missions:confirm", args=[order.pk, a]) for a in ("cancel", "reject", "revoke", "send_back")]
        if order.state in (State.ISSUED, State.SENT_BACK, State.RETURNED):
            urls.append(reverse("missions:return", args=[order.pk]))
        if order.verification_token:
            urls.append(reverse("verify:order", args=[order.verification_token]))
    urls.append(reverse("missions:edit", args=[orders[0].pk]))
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_every_role_counts_in_khmer_digits(client, khmer_names, khmer_catalogue, role):
    """One test a role: each walks every page the role reads (a whole walk outgrew the per-test timeout on a
    heavily loaded machine)."""
    cast = khmer_names
    from datetime import date, timedelta

    orders = [make_order(cast)]
    # One order in each state, each in its own week of the past (a return is recorded only after the trip).
    for i, state in enumerate(("submitted", "approved", "issued", "sent_back", "returned", "accepted", "rejected",
                               "revoked", "cancelled"), start=1):
        orders.append(make_order(cast, state=state, start=date.today() - timedelta(days=7 * i + 7)))
    bad = {}
    client.force_login(getattr(cast, role).user)
    for url in _pages(cast, orders, role):
        response = client.get(url, follow=True)
        found = offenders(response.content.decode())
        found += [f"message {m.message!r}" for m in get_messages(response.wsgi_request) if latin_digits(str(m))]
        if found:
            bad[f"{role} {url}"] = found
    assert not bad, "\n".join(f"{k}: {v}" for k, v in bad.items())


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_clash_message_names_the_traveller_links_the_other_order_and_counts_in_khmer(
        client, khmer_names, khmer_catalogue):
    from datetime import timedelta

    from common.templatetags.portal import day
    from tests.factories import order_input
    from missions import services as s

    cast = khmer_names
    first = make_order(cast, state="issued")
    second = s.order_create(by=cast.colleague.user, data=order_input(
        cast, travellers=[cast.colleague], start=first.departure_date + timedelta(days=1)))
    client.force_login(cast.colleague.user)
    response = client.post(reverse("missions:transition", args=[second.pk, "submit"]), follow=True)
    (text,) = _messages(response)
    cast.colleague.refresh_from_db()
    assert cast.colleague.display_name in text and "កាលបរិច្ឆេទជាន់គ្នា" in text
    assert f'<a href="{reverse("missions:detail", args=[first.pk])}">' in text
    assert day(first.departure_date) in text and "២០" in text
    assert latin_digits(re.sub(r"<[^>]+>", " ", text)) == []


def test_messages_with_numbers_count_in_khmer(client, khmer_names, khmer_catalogue, settings):
    from tests.factories import upload

    cast = khmer_names
    order = make_order(cast, state="issued")
    leg = order.legs.first()
    client.force_login(cast.official.user)
    response = client.post(reverse("missions:return", args=[order.pk]), {
        "leg": leg.pk, f"stamp-{leg.pk}-departed_on": leg.travel_date.isoformat(),
        f"stamp-{leg.pk}-arrived_on": leg.travel_date.isoformat(), f"stamp-{leg.pk}-scan": upload()}, follow=True)
    assert [m for m in _messages(response) if "១" in m and latin_digits(m) == []], _messages(response)
    settings.UPLOAD_MAX_BYTES = 100
    response = client.post(reverse("missions:return", args=[order.pk]), {
        "leg": leg.pk, f"stamp-{leg.pk}-departed_on": leg.travel_date.isoformat(),
        f"stamp-{leg.pk}-arrived_on": leg.travel_date.isoformat(), f"stamp-{leg.pk}-scan": upload()})
    assert offenders(response.content.decode()) == []
    assert "១០០ បៃ" in response.content.decode() or "១០០" in response.content.decode()
