"""Passwords and logging in: reset by e-mail, names refused as passwords, lock-out says how long,
failures limited per address across usernames."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _logs_in(username, password):
    client = Client(REMOTE_ADDR="10.7.7.7")
    return client.post("/accounts/login/", {"username": username, "password": password}).status_code == 302


def test_reset_by_the_officials_e_mail_address(cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    official = cast.official
    official.email = "Sok.Official@mcs.gov.kh"
    official.save()
    client = Client()
    page = client.get("/accounts/password/reset/")
    assert page.status_code == 200 and "administrator" in page.content.decode()
    response = client.post("/accounts/password/reset/", {"email": "sok.official@MCS.gov.kh"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sok.official@MCS.gov.kh"]
    body = mail.outbox[0].body
    assert official.user.username in body
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    new = "Kampot-River-Lamp-82"
    done = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert _logs_in(official.user.username, new)
    again = client.post(set_url, {"new_password1": "Other-Lamp-River-77", "new_password2": "Other-Lamp-River-77"})
    assert again.status_code == 200  # the link worked once
    assert _logs_in(official.user.username, new)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"].endswith("/accounts/password/reset/sent/")
    assert mail.outbox == []


@pytest.mark.parametrize("password", ["sok sophea 1", "SOKSOPHEA1", "Sophea-1234", "ssokssophea1"])
def test_a_password_like_the_officials_name_is_refused(cast, password):
    user = cast.user("official")
    name = cast.official.name_latin  # "Sok Sophea N"
    candidate = password.replace("1", name.split()[-1]) if "1" in password else password
    with pytest.raises(ValidationError) as exc:
        validate_password(candidate, user)
    assert any("name" in m for m in exc.value.messages)


def test_a_password_like_the_khmer_name_or_id_is_refused_and_a_good_one_passes(cast):
    user = cast.user("official")
    with pytest.raises(ValidationError):
        validate_password(cast.official.name_km.replace(" ", "") + "!", user)
    with pytest.raises(ValidationError):
        validate_password("id-" + cast.official.civil_service_id.lower(), user)
    validate_password("Kampot-River-Lamp-82", user)


def test_the_lock_out_page_says_for_how_long(cast, settings):
    settings.AXES_COOLOFF_TIME = 0.5  # hours
    client = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "official_a", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "official_a", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "locked for 30 minutes" in response.content.decode()


def test_one_password_against_many_usernames_locks_the_address(cast, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    client = Client(REMOTE_ADDR="10.4.4.4")
    users = ["official_a", "colleague_a", "office_a1", "head_a", "official_b", "head_b", "leader", "leader2"]
    for name in users:  # one failure each: no single account reaches its own limit
        client.post("/accounts/login/", {"username": name, "password": "Summer2026!"})
    response = client.post("/accounts/login/", {"username": "cabinet_clerk", "password": PASSWORD})
    assert response.status_code in (403, 429) and "_auth_user_id" not in client.session
    other = Client(REMOTE_ADDR="10.4.4.5")  # another address is not affected
    assert other.post("/accounts/login/", {"username": "cabinet_clerk", "password": PASSWORD}).status_code == 302


def test_a_few_typos_from_a_shared_address_do_not_lock_it(cast, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    client = Client(REMOTE_ADDR="10.5.5.5")
    for name in ["official_a", "colleague_a", "head_a"]:
        client.post("/accounts/login/", {"username": name, "password": "typo"})
    assert client.post("/accounts/login/", {"username": "official_a", "password": PASSWORD}).status_code == 302


def test_too_many_reset_requests_get_the_portals_page_saying_what_to_do(cast, settings, monkeypatch):
    import time
    import types

    import django_ratelimit.core

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # One moment for every request: an hour's window cannot end half-way through the test.
    now = int(time.time())
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: now))
    client = Client(REMOTE_ADDR="10.9.9.9")
    codes = [client.post("/accounts/password/reset/", {"email": "nobody@example.org"}).status_code
             for _ in range(10)]
    assert codes == [302] * 10
    refused = client.post("/accounts/password/reset/", {"email": "nobody@example.org"}, HTTP_ACCEPT_LANGUAGE="km")
    page = refused.content.decode()
    assert refused.status_code == 429
    assert "ស្នើសុំតំណកំណត់ពាក្យសម្ងាត់ឡើងវិញច្រើនដងពេក" in page and "៧២" in page  # Khmer, Khmer digits
    assert 'href="/accounts/login/"' in page
    client.cookies["django_language"] = "en"
    english = client.post("/accounts/password/reset/", {"email": "nobody@example.org"}).content.decode()
    assert "Too many reset requests" in english and "72 hours" in english and "administrator" in english
    # asking for the form is never limited, and another address is not limited at all
    assert client.get("/accounts/password/reset/").status_code == 200
    other = Client(REMOTE_ADDR="10.9.9.10").post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert other.status_code == 302
