import logging
import os
import pickle

import pytest

from groups.telegram.client import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    PermanentError,
    RetryAfter,
    TelegramClient,
    TelegramError,
    TransientError,
    Unauthorized,
    classify_error,
)
from tests.fakes.fixtures import telegram_server  # noqa: F401
from tests.fakes.redis_server import free_port
from tests.fakes.telegram_server import ManualClock


@pytest.fixture
def client(telegram_server):
    return TelegramClient(telegram_server.token, base_url=telegram_server.base_url, timeout=5)


def test_requests_go_to_base_url_bot_token_method(telegram_server):
    client = TelegramClient("1:abc", base_url="http://127.0.0.1:1/")
    assert client.method_url("getMe") == "http://127.0.0.1:1/bot1:abc/getMe"
    assert "abc" not in repr(client)
    assert TelegramClient("1:abc").base_url == "https://api.telegram.org"


def test_get_me(client, telegram_server):
    me = client.get_me()
    assert me["is_bot"] is True
    assert me["id"] == int(telegram_server.token.split(":")[0])
    assert me["username"] == telegram_server.bot_username


def test_send_message_returns_the_message(client, telegram_server):
    markup = {"inline_keyboard": [[{"text": "Approve", "callback_data": "approve:17"}]]}
    result = client.send_message(4242, "<b>Order</b> 12 &amp; 13", reply_markup=markup)
    assert result["chat"] == {"id": 4242, "type": "private", "first_name": "Test"}
    assert result["text"] == "Order 12 & 13"
    assert isinstance(result["message_id"], int)
    assert result["reply_markup"] == markup

    [sent] = telegram_server.messages
    assert sent.chat_id == 4242
    assert sent.text == "<b>Order</b> 12 &amp; 13"
    assert sent.parse_mode == "HTML"
    assert sent.reply_markup == markup
    assert sent.message_id == result["message_id"]
    [request] = telegram_server.requests
    assert request.params["link_preview_options"] == {"is_disabled": True}


def test_send_message_to_a_group_and_a_channel(client, telegram_server):
    assert client.send_message(-4001, "group")["chat"]["type"] == "group"
    assert client.send_message(-1001234567890, "super")["chat"]["type"] == "supergroup"
    assert client.send_message("@ministry_news", "channel")["chat"]["type"] == "channel"
    assert [m.chat_id for m in telegram_server.messages] == [-4001, -1001234567890, "@ministry_news"]


def test_send_document_is_multipart_and_keeps_the_bytes(client, telegram_server):
    content = os.urandom(200_000) + b"\r\n--boundary\r\n\r\n" + bytes(range(256))
    result = client.send_document(-4001, "order-12.pdf", content, caption="<i>Order</i> ១២", mime_type="application/pdf")
    assert result["document"]["file_name"] == "order-12.pdf"
    assert result["document"]["file_size"] == len(content)
    assert result["caption"] == "Order ១២"

    [doc] = telegram_server.documents()
    assert doc.document_filename == "order-12.pdf"
    assert doc.document_size == len(content)
    assert doc.document_content == content
    assert doc.document_mime_type == "application/pdf"
    assert doc.caption == "<i>Order</i> ១២"


def test_edit_message_text(client, telegram_server):
    sent = client.send_message(77, "pending")
    markup = {"inline_keyboard": [[{"text": "Done", "callback_data": "x"}]]}
    edited = client.edit_message_text(77, sent["message_id"], "<b>approved</b>", reply_markup=markup)
    assert edited["text"] == "approved"
    assert edited["message_id"] == sent["message_id"]
    assert telegram_server.messages[0].edits == ["<b>approved</b>"]

    with pytest.raises(BadRequest, match="message is not modified"):
        client.edit_message_text(77, sent["message_id"], "<b>approved</b>", reply_markup=markup)
    with pytest.raises(BadRequest, match="message to edit not found"):
        client.edit_message_text(77, 999, "x")


def test_answer_callback_query(client, telegram_server):
    assert client.answer_callback_query("cbq-1", text="Saved") is True
    assert telegram_server.callback_answers[0]["callback_query_id"] == "cbq-1"
    assert telegram_server.callback_answers[0]["text"] == "Saved"


def test_webhook_round_trip(client, telegram_server):
    assert client.get_webhook_info()["url"] == ""
    assert client.set_webhook("https://portal.example/tg/hook/", "s3cr3t_T-0k", ["message", "callback_query"]) is True
    info = client.get_webhook_info()
    assert info["url"] == "https://portal.example/tg/hook/"
    assert info["allowed_updates"] == ["message", "callback_query"]
    assert telegram_server.webhook["secret_token"] == "s3cr3t_T-0k"
    with pytest.raises(BadRequest, match="secret token"):
        client.set_webhook("https://portal.example/tg/hook/", "bad token!", ["message"])
    assert client.delete_webhook() is True
    assert client.get_webhook_info()["url"] == ""


def test_forced_429_carries_retry_after_and_punishes_early_return(client, telegram_server):
    telegram_server.clock = ManualClock()
    telegram_server.fail_rate_limit(chat_id=55, times=1, retry_after=3)
    with pytest.raises(RetryAfter) as info:
        client.send_message(55, "hello")
    err = info.value
    assert err.retry_after == 3
    assert err.error_code == 429
    assert err.permanent is False
    assert isinstance(err, TelegramError)

    client.send_message(56, "another chat is not affected")

    with pytest.raises(RetryAfter) as again:
        client.send_message(55, "too soon")
    assert 1 <= again.value.retry_after <= 3
    [early] = telegram_server.early_retries
    assert early.chat_id == 55
    assert early.early_by > 2
    assert telegram_server.rate_limited == 0
    assert telegram_server.texts(55) == []


def test_returning_after_retry_after_is_accepted(client, telegram_server):
    clock = telegram_server.clock = ManualClock()
    telegram_server.fail_rate_limit(chat_id=57, times=2, retry_after=1)
    for _ in range(2):
        with pytest.raises(RetryAfter) as info:
            client.send_message(57, "hello")
        clock.advance(info.value.retry_after)
    client.send_message(57, "hello")
    assert telegram_server.texts(57) == ["hello"]
    assert telegram_server.early_retries == []


def test_chat_migration_carries_the_new_id(client, telegram_server):
    telegram_server.migrate_chat(-4002, -1009876543210)
    with pytest.raises(ChatMigrated) as info:
        client.send_message(-4002, "hello group")
    assert info.value.new_chat_id == -1009876543210
    assert info.value.permanent is False
    assert info.value.error_code == 400
    client.send_message(info.value.new_chat_id, "hello supergroup")
    with pytest.raises(ChatMigrated):
        client.send_document(-4002, "a.txt", b"a")
    assert [m.chat_id for m in telegram_server.messages] == [-1009876543210]


def test_blocked_by_user_is_forbidden(client, telegram_server):
    telegram_server.block_chat(31)
    with pytest.raises(Forbidden) as info:
        client.send_message(31, "hi")
    err = info.value
    assert isinstance(err, PermanentError) and err.permanent is True
    assert err.error_code == 403
    assert err.description == "Forbidden: bot was blocked by the user"
    telegram_server.restore_chat(31)
    client.send_message(31, "hi again")


def test_kicked_from_group_is_forbidden(client, telegram_server):
    telegram_server.kick_from_chat(-4003)
    with pytest.raises(Forbidden, match="kicked"):
        client.send_message(-4003, "hi")


def test_chat_not_found_is_a_bad_request(client, telegram_server):
    telegram_server.unknown_chat(32)
    with pytest.raises(BadRequest) as info:
        client.send_message(32, "hi")
    assert info.value.description == "Bad Request: chat not found"
    assert info.value.error_code == 400
    assert info.value.permanent is True


def test_bad_html_is_a_bad_request(client):
    with pytest.raises(BadRequest, match="can't parse entities"):
        client.send_message(33, "<b>unclosed")
    with pytest.raises(BadRequest, match="message is too long"):
        client.send_message(33, "x" * 4097)


@pytest.mark.parametrize("json_body", [True, False])
def test_server_errors_are_transient(client, telegram_server, json_body):
    telegram_server.fail_server_error(times=1, status=502, json_body=json_body)
    with pytest.raises(TransientError) as info:
        client.send_message(34, "hi")
    assert info.value.permanent is False
    assert info.value.error_code == 502
    client.send_message(34, "hi")
    assert telegram_server.texts(34) == ["hi"]


def test_dropped_connection_is_transient(client, telegram_server):
    telegram_server.drop_connection(times=1, method="sendMessage")
    with pytest.raises(TransientError, match="network error"):
        client.send_message(35, "hi")
    assert telegram_server.requests[-1].status == 0
    client.send_message(35, "hi")
    assert telegram_server.texts(35) == ["hi"]


def test_timeout_is_transient(telegram_server):
    telegram_server.delay_response(1.5, times=1)
    client = TelegramClient(telegram_server.token, base_url=telegram_server.base_url, timeout=0.3)
    with pytest.raises(TransientError, match="timeout"):
        client.get_me()


def test_connection_refused_is_transient():
    client = TelegramClient("1:abc", base_url=f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(TransientError) as info:
        client.get_me()
    assert "abc" not in str(info.value)


def test_wrong_token_is_unauthorized(telegram_server):
    client = TelegramClient("999:wrong-token", base_url=telegram_server.base_url, timeout=5)
    with pytest.raises(Unauthorized) as info:
        client.get_me()
    err = info.value
    assert err.error_code == 401
    assert err.description == "Unauthorized"
    assert isinstance(err, PermanentError) and err.permanent
    assert "wrong-token" not in str(err)
    assert telegram_server.messages == []


def test_error_classification_from_payloads():
    def err(payload, status=None):
        return classify_error(payload, status or payload.get("error_code", 200), "sendMessage")

    e = err({"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 7",
             "parameters": {"retry_after": 7}})
    assert type(e) is RetryAfter and e.retry_after == 7
    e = err({"ok": False, "error_code": 400, "description": "Bad Request: group chat was upgraded",
             "parameters": {"migrate_to_chat_id": -100123}})
    assert type(e) is ChatMigrated and e.new_chat_id == -100123
    assert type(err({"ok": False, "error_code": 403, "description": "Forbidden: x"})) is Forbidden
    assert type(err({"ok": False, "error_code": 400, "description": "Bad Request: x"})) is BadRequest
    assert type(err({"ok": False, "error_code": 500, "description": "Internal"})) is TransientError
    assert type(err({"ok": False, "error_code": 404, "description": "Not Found"})) is Unauthorized
    assert type(err({"ok": False, "error_code": 409, "description": "Conflict"})) is PermanentError
    assert err({"ok": False, "error_code": 429, "description": "flood"}).retry_after == 1


def test_errors_survive_pickling():
    for error in (
        RetryAfter(5, method="sendMessage"),
        ChatMigrated(-100777),
        Forbidden("Forbidden: bot was blocked by the user", 403),
        TransientError("network error", None),
    ):
        clone = pickle.loads(pickle.dumps(error))
        assert type(clone) is type(error)
        assert clone.__dict__ == error.__dict__
        assert str(clone) == str(error)
    assert pickle.loads(pickle.dumps(RetryAfter(5))).retry_after == 5
    assert pickle.loads(pickle.dumps(ChatMigrated(-100777))).new_chat_id == -100777


def test_token_stays_out_of_httpx_log_lines(client, telegram_server, caplog):
    secret = telegram_server.token.split(":", 1)[1]
    with caplog.at_level(logging.DEBUG):
        client.get_me()
        client.send_message(36, "hi")
    assert "HTTP Request: POST" in caplog.text
    assert secret not in caplog.text
    assert f"/bot{telegram_server.token.split(':')[0]}:***/getMe" in caplog.text
