"""Deep-link linking, the webhook secret, and the Approve/Reject buttons (same FSM permission as the web)."""

import json

import pytest
from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext

from groups import delivery, services
from groups.models import LinkToken, Notice, TelegramAccount
from groups.receivers import sign_callback
from tests.factories import make_order

URL = "/groups/telegram/webhook/"


def _post(client, update, secret="test-secret_0123456789"):
    headers = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret} if secret is not None else {}
    return client.post(URL, data=json.dumps(update), content_type="application/json", **headers)


def test_webhook_refuses_a_wrong_or_missing_secret(bot, client, db):
    update = bot.message_update(4242, "/stop")
    assert _post(client, update, secret="wrong").status_code == 403
    assert _post(client, update, secret=None).status_code == 403
    assert _post(client, update).status_code == 200


def test_start_with_a_deep_link_token_links_once_and_stop_unlinks(bot, client, cast, login):
    page = login(cast.official).post("/groups/telegram/")
    token = LinkToken.objects.get(official=cast.official)
    assert f"https://t.me/{bot.bot_username}?start={token.token}" in page.content.decode()

    r = _post(client, bot.message_update(4242, f"/start {token.token}", from_id=4242))
    assert r.json()["method"] == "sendMessage" and "Linked" in r.json()["text"]
    account = TelegramAccount.objects.get(official=cast.official)
    assert account.telegram_user_id == 4242 and account.chat_id == 4242

    # the same token again (another Telegram user) is refused
    r = _post(client, bot.message_update(5555, f"/start {token.token}", from_id=5555))
    assert "expired or was already used" in r.json()["text"]
    assert TelegramAccount.objects.get(official=cast.official).telegram_user_id == 4242

    _post(client, bot.message_update(4242, "/stop", from_id=4242))
    assert not TelegramAccount.objects.filter(official=cast.official).exists()


def test_an_expired_token_is_refused(bot, client, cast):
    token = services.link_token_create(official=cast.official)
    LinkToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    r = _post(client, bot.message_update(4242, f"/start {token.token}", from_id=4242))
    assert "expired" in r.json()["text"]
    assert not TelegramAccount.objects.filter(official=cast.official).exists()


def _submitted_with_buttons(cast, bot, linked):
    chat = linked(cast.leader)
    order = make_order(cast, "submitted")
    notice = Notice.objects.get(kind="order.submitted", recipient=cast.leader)
    assert delivery.deliver(notice.pk).status == "sent"
    [message] = bot.messages_to(chat)
    buttons = message.reply_markup["inline_keyboard"][0]
    return order, chat, message, buttons


def test_approve_button_approves_once_and_a_second_press_does_no_harm(bot, client, cast, linked):
    order, chat, message, buttons = _submitted_with_buttons(cast, bot, linked)
    press = bot.callback_update(chat, message.message_id, buttons[0]["callback_data"], from_id=chat)

    assert _post(client, press).status_code == 204
    order.refresh_from_db()
    assert order.state == "approved" and order.approved_by == cast.leader
    assert "Approved" in bot.callback_answers[-1]["text"]
    assert "Approved" in bot.messages_to(chat)[0].edits[-1]

    again = bot.callback_update(chat, message.message_id, buttons[0]["callback_data"], from_id=chat)
    _post(client, again)
    order.refresh_from_db()
    assert order.state == "approved" and order.log.filter(action="approve").count() == 1
    assert "Already approved" in bot.callback_answers[-1]["text"]


def test_reject_button_from_a_leader_without_the_permission_is_refused_and_the_order_unchanged(
        bot, client, cast, linked):
    order, chat, message, buttons = _submitted_with_buttons(cast, bot, linked)
    intruder = linked(cast.leader2)  # an approver, but not of this order
    press = bot.callback_update(chat, message.message_id, buttons[1]["callback_data"], from_id=intruder)

    _post(client, press)
    order.refresh_from_db()
    assert order.state == "submitted" and not order.log.filter(action="reject").exists()
    with translation.override("km"):  # the bot answers in Khmer, the portal's first language, then English
        refusal = gettext("You are not allowed to do that with this order.")
    assert bot.callback_answers[-1]["text"] == f"{refusal} / You are not allowed to do that with this order."
    assert bot.messages_to(chat)[0].edits == []


def test_the_edited_approval_request_keeps_its_formatting(bot, client, cast, linked):
    order, chat, message, buttons = _submitted_with_buttons(cast, bot, linked)
    _post(client, bot.callback_update(chat, message.message_id, buttons[0]["callback_data"], from_id=chat))
    edited = bot.messages_to(chat)[0].edits[-1]
    assert edited.startswith(message.text) and "<b>" in edited  # the portal's HTML, not Telegram's plain text
    assert edited.endswith("</b>") and "Approved" in edited


MALFORMED = [
    {"update_id": 1, "message": {"text": "/start", "chat": {"type": "private"}, "from": {"id": 5}}},
    {"update_id": 2, "message": {"text": "/start abc", "chat": "private", "from": {"id": 5}}},
    {"update_id": 3, "message": {"text": "/start abc", "chat": {"type": "private", "id": "5"}, "from": {"id": 5}}},
    {"update_id": 4, "message": {"text": "/stop", "chat": {"type": "private", "id": 5}, "from": [5]}},
    {"update_id": 5, "message": {"text": "/stop", "chat": {"type": "private", "id": 5}, "from": {"id": True}}},
    {"update_id": 6, "message": {"text": "/start " + "x" * 5000, "chat": {"type": "private", "id": 5},
                                 "from": {"id": 5, "username": ["x"]}}},
    {"update_id": 7, "message": None},
    {"update_id": 8, "message": {"text": 42}},
    {"update_id": 9, "callback_query": {"id": 9}},
    {"update_id": 10, "callback_query": {"id": "10", "from": "me", "data": None, "message": {"message_id": "x"}}},
    {"update_id": 11, "callback_query": {"id": "11", "from": {"id": 5}, "data": 7, "message": {"chat": 5}}},
    {"update_id": 12, "callback_query": {"id": "12", "from": {"id": 5}, "data": "a:1:zz", "message": []}},
    {"update_id": 13, "edited_message": {"text": "/start", "chat": {"id": 5}}},
    {"update_id": 14},
]


@pytest.mark.parametrize("update", MALFORMED, ids=[str(u["update_id"]) for u in MALFORMED])
def test_a_malformed_update_is_answered_without_an_error(bot, client, db, update):
    response = _post(client, update)
    assert response.status_code in (200, 204), response.content[:300]
    assert not TelegramAccount.objects.exists()


def test_a_body_that_is_not_an_update_is_a_bad_request(bot, client, db):
    for body in ("[1, 2]", "not json", '"text"'):
        response = client.post(URL, data=body, content_type="application/json",
                               HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN="test-secret_0123456789")
        assert response.status_code == 400


def test_a_forged_button_is_refused(bot, client, cast, linked):
    order, chat, message, buttons = _submitted_with_buttons(cast, bot, linked)
    forged = sign_callback("a", order.pk)[:-1] + ("x" if not sign_callback("a", order.pk).endswith("x") else "y")
    _post(client, bot.callback_update(chat, message.message_id, forged, from_id=chat))
    order.refresh_from_db()
    assert order.state == "submitted"
    assert "Invalid" in bot.callback_answers[-1]["text"]


def test_telegram_setup_checks_the_token_and_sets_the_webhook(bot, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.SITE_URL = "http://127.0.0.1:8000"
    out = StringIO()
    call_command("telegram_setup", stdout=out)
    assert f"@{bot.bot_username}" in out.getvalue()
    assert bot.webhook["url"] == "http://127.0.0.1:8000/groups/telegram/webhook/"
    assert bot.webhook["secret_token"] == "test-secret_0123456789"


def _expiry_sentence(cast, login):
    html = login(cast.official).post("/groups/telegram/").content.decode()
    local = timezone.localtime(LinkToken.objects.get(official=cast.official).expires_at)
    return html, local.strftime("%H:%M")


def test_the_link_page_says_when_the_link_expires_in_one_sentence(bot, cast, login):
    html, time = _expiry_sentence(cast, login)
    assert f"It works once and expires at {time}.</p>" in html


@pytest.mark.khmer
def test_the_link_page_says_when_the_link_expires_in_khmer_digits(bot, cast, login):
    from khmer.digits import to_khmer_digits

    html, time = _expiry_sentence(cast, login)
    assert f"ហើយផុតកំណត់នៅម៉ោង {to_khmer_digits(time)}។</p>" in html
