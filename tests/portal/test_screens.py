"""The frame of every page: the favicon, the menu marking where the reader is."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_favicon_is_found_where_browsers_ask_for_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert client.post("/favicon.ico").status_code == 405
    for name in ("favicon.ico", "favicon.svg", "apple-touch-icon.png"):
        assert finders.find(name), name


def test_every_page_names_its_icon(client, cast):
    client.force_login(cast.official.user)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'rel="icon" href="/static/favicon.ico"' in html and 'href="/static/favicon.svg"' in html


@pytest.mark.parametrize("url_name,label", [("dashboard", "Home"), ("missions:mine", "My missions"),
                                            ("missions:new", "New request"), ("groups:index", "Groups"),
                                            ("ministry:profile", "Profile")])
def test_the_menu_marks_the_current_page_and_only_it(client, cast, url_name, label):
    client.force_login(cast.official.user)
    client.cookies["django_language"] = "en"
    html = client.get(reverse(url_name)).content.decode()
    assert html.count('aria-current="page"') == 1
    assert f'aria-current="page">{label}</a>' in html


def test_the_menu_draws_its_icons_without_an_emoji_font(client, cast):
    """Phones and office PCs without an emoji font draw an emoji as a box: the menu's icons are SVG."""
    import re

    client.force_login(cast.official.user)
    html = client.get(reverse("dashboard")).content.decode()
    nav = html[html.index("<nav"):html.index("</nav>")]
    assert not re.findall(r"[\U0001F000-\U0001FAFF\u2600-\u27BF]", nav)
    assert 'class="bell"' in nav and "<svg" in nav
