import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.fakes.fixtures import telegram_server  # noqa: F401
from tests.fakes.telegram_server import FakeTelegramServer, ManualClock, parse_html


def post(server, method, token=None, **kwargs):
    return httpx.post(server.url(method, token), timeout=5, **kwargs)


def test_context_manager_binds_loopback_and_stops():
    with FakeTelegramServer() as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        port = server.port
        assert post(server, "getMe").json()["ok"] is True
    with pytest.raises(httpx.TransportError):
        httpx.post(f"http://127.0.0.1:{port}/bot{server.token}/getMe", timeout=2)


def test_wrong_token_shape(telegram_server):
    response = post(telegram_server, "sendMessage", token="1:nope", json={"chat_id": 1, "text": "x"})
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert telegram_server.messages == []


def test_unknown_method_and_path(telegram_server):
    response = post(telegram_server, "sendCarrierPigeon", json={})
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert httpx.get(telegram_server.base_url + "/nothing", timeout=5).status_code == 404


def test_send_message_accepts_json_form_and_query(telegram_server):
    telegram_server.per_chat_interval = 0
    r1 = post(telegram_server, "sendMessage", json={"chat_id": 10, "text": "json"})
    r2 = post(telegram_server, "sendMessage", data={"chat_id": "10", "text": "form <b>x</b>", "parse_mode": "HTML",
                                                    "reply_markup": json.dumps({"inline_keyboard": [[{"text": "a", "url": "https://e.org"}]]})})
    r3 = httpx.get(telegram_server.url("sendMessage"), params={"chat_id": 11, "text": "query"}, timeout=5)
    for response in (r1, r2, r3):
        assert response.status_code == 200, response.text
        assert response.json()["ok"] is True
    assert r2.json()["result"]["text"] == "form x"
    assert telegram_server.texts() == ["json", "form <b>x</b>", "query"]
    assert telegram_server.messages[1].reply_markup["inline_keyboard"][0][0]["url"] == "https://e.org"
    assert [m.message_id for m in telegram_server.messages_to(10)] == [1, 2]


def test_validation_errors(telegram_server):
    cases = [
        ({"chat_id": 1}, "Bad Request: message text is empty"),
        ({"text": "x"}, "Bad Request: chat_id is empty"),
        ({"chat_id": 1, "text": "a < b", "parse_mode": "HTML"}, "Bad Request: can't parse entities"),
        ({"chat_id": 1, "text": "<script>x</script>", "parse_mode": "HTML"}, "Bad Request: can't parse entities"),
        ({"chat_id": 1, "text": "<b>x</i>", "parse_mode": "HTML"}, "Bad Request: can't parse entities"),
        ({"chat_id": 1, "text": "😀" * 2049}, "Bad Request: message is too long"),
        ({"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "x" * 65}]]}},
         "Bad Request: BUTTON_DATA_INVALID"),
        ({"chat_id": "not-a-chat", "text": "x"}, "Bad Request: chat not found"),
    ]
    for body, description in cases:
        response = post(telegram_server, "sendMessage", json=body)
        assert response.status_code == 400, body
        assert response.json()["description"].startswith(description), (body, response.json())
    assert post(telegram_server, "sendMessage", json={"chat_id": 1, "text": "😀" * 2048}).status_code == 200
    long_caption = {"chat_id": "2", "caption": "c" * 1025}
    response = post(telegram_server, "sendDocument", data=long_caption, files={"document": ("a.txt", b"a")})
    assert response.json()["description"] == "Bad Request: message caption is too long"


def test_parse_html_matches_telegram_rules():
    assert parse_html('<b>a</b> &lt;&amp;&gt; <a href="https://e.org/?a=1&amp;b=2">l</a>') == "a <&> l"
    assert parse_html("&#8203;&#x1F600;") == "\u200b😀"
    for bad in ("<b>", "</b>", "a & b", "<br>", "&nbsp;", "<b><i>x</b></i>"):
        with pytest.raises(ValueError):
            parse_html(bad)


def test_per_chat_limit_enforced(telegram_server):
    clock = telegram_server.clock = ManualClock()
    assert post(telegram_server, "sendMessage", json={"chat_id": 20, "text": "1"}).status_code == 200
    response = post(telegram_server, "sendMessage", json={"chat_id": 20, "text": "2"})
    assert response.status_code == 429
    body = response.json()
    assert body["error_code"] == 429
    assert body["parameters"]["retry_after"] >= 1
    assert telegram_server.rate_limited == 1
    assert telegram_server.rate_limit_events[0].reason == "chat"
    # other chats are unaffected
    assert post(telegram_server, "sendMessage", json={"chat_id": 21, "text": "1"}).status_code == 200
    clock.advance(body["parameters"]["retry_after"] - 0.01)
    assert post(telegram_server, "sendMessage", json={"chat_id": 20, "text": "2"}).status_code == 429
    assert len(telegram_server.early_retries) == 1
    clock.advance(0.01)
    assert post(telegram_server, "sendMessage", json={"chat_id": 20, "text": "2"}).status_code == 200
    assert telegram_server.texts(20) == ["1", "2"]
    assert telegram_server.rate_limited == 1


def test_per_chat_gap_allows_jitter(telegram_server):
    clock = telegram_server.clock = ManualClock()
    telegram_server.per_chat_interval = 0.5
    telegram_server.jitter = 0.1
    assert post(telegram_server, "sendMessage", json={"chat_id": 22, "text": "1"}).status_code == 200
    clock.advance(0.42)
    assert post(telegram_server, "sendMessage", json={"chat_id": 22, "text": "2"}).status_code == 200
    assert telegram_server.rate_limited == 0
    clock.advance(0.39)
    assert post(telegram_server, "sendMessage", json={"chat_id": 22, "text": "3"}).status_code == 429


def test_group_per_minute_limit_enforced(telegram_server):
    clock = telegram_server.clock = ManualClock()
    telegram_server.per_chat_interval = 0
    telegram_server.group_max = 5
    telegram_server.group_window = 1.5
    telegram_server.jitter = 0
    for i in range(5):
        assert post(telegram_server, "sendMessage", json={"chat_id": -300, "text": str(i)}).status_code == 200
    response = post(telegram_server, "sendMessage", json={"chat_id": -300, "text": "6"})
    assert response.status_code == 429
    assert telegram_server.rate_limit_events[-1].reason == "group"
    clock.advance(response.json()["parameters"]["retry_after"])  # the window has passed and the flood wait too
    assert post(telegram_server, "sendMessage", json={"chat_id": -300, "text": "6"}).status_code == 200
    # a private chat with the same number of messages is not a group
    for i in range(6):
        assert post(telegram_server, "sendMessage", json={"chat_id": 300, "text": str(i)}).status_code == 200
    assert telegram_server.rate_limited == 1


def test_default_group_limit_is_twenty_a_minute(telegram_server):
    telegram_server.clock = ManualClock()
    telegram_server.per_chat_interval = 0
    for i in range(20):
        assert post(telegram_server, "sendMessage", json={"chat_id": -301, "text": str(i)}).status_code == 200
    response = post(telegram_server, "sendMessage", json={"chat_id": -301, "text": "21"})
    assert response.status_code == 429
    assert response.json()["parameters"]["retry_after"] > 50


def test_global_limit_enforced(telegram_server):
    assert (telegram_server.global_max, telegram_server.global_window) == (30, 1.0)
    telegram_server.clock = ManualClock()
    for chat in range(30):
        assert post(telegram_server, "sendMessage", json={"chat_id": 1000 + chat, "text": "x"}).status_code == 200
    response = post(telegram_server, "sendMessage", json={"chat_id": 2000, "text": "x"})
    if response.status_code == 200:
        pytest.fail("31st message within the window was accepted")
    assert response.status_code == 429
    assert telegram_server.rate_limit_events[-1].reason == "global"


def test_limits_can_be_switched_off(telegram_server):
    telegram_server.clock = ManualClock()
    telegram_server.enforce_limits = False
    for i in range(5):
        assert post(telegram_server, "sendMessage", json={"chat_id": 23, "text": str(i)}).status_code == 200
    assert telegram_server.rate_limited == 0


def test_faults_match_chat_and_method_in_order(telegram_server):
    telegram_server.per_chat_interval = 0
    telegram_server.fail_server_error(times=1, status=503, chat_id=40)
    telegram_server.fail_rate_limit(chat_id=40, retry_after=1, method="sendDocument")
    assert post(telegram_server, "getMe").status_code == 200
    assert post(telegram_server, "sendMessage", json={"chat_id": 41, "text": "x"}).status_code == 200
    response = post(telegram_server, "sendMessage", json={"chat_id": 40, "text": "x"})
    assert response.status_code == 503
    assert response.json() == {"ok": False, "error_code": 503, "description": "Service Unavailable"}
    assert post(telegram_server, "sendMessage", json={"chat_id": 40, "text": "x"}).status_code == 200
    response = post(telegram_server, "sendDocument", data={"chat_id": "40"}, files={"document": ("a", b"a")})
    assert response.status_code == 429
    assert response.json()["parameters"] == {"retry_after": 1}


def test_non_json_server_error(telegram_server):
    telegram_server.fail_server_error(status=502, json_body=False)
    response = post(telegram_server, "getMe")
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")


def test_dropped_connection(telegram_server):
    telegram_server.drop_connection(times=2)
    for _ in range(2):
        with pytest.raises(httpx.TransportError):
            post(telegram_server, "sendMessage", json={"chat_id": 50, "text": "x"})
    assert telegram_server.messages == []
    assert post(telegram_server, "getMe").status_code == 200


def test_blocked_unknown_and_migrated_chats(telegram_server):
    telegram_server.block_chat(60)
    telegram_server.unknown_chat(61)
    telegram_server.migrate_chat(-62, -100062)
    assert post(telegram_server, "sendMessage", json={"chat_id": 60, "text": "x"}).json() == {
        "ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    assert post(telegram_server, "sendMessage", json={"chat_id": 61, "text": "x"}).json() == {
        "ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
    migrated = post(telegram_server, "sendMessage", json={"chat_id": -62, "text": "x"}).json()
    assert migrated["error_code"] == 400
    assert migrated["parameters"] == {"migrate_to_chat_id": -100062}
    assert post(telegram_server, "sendMessage", json={"chat_id": -100062, "text": "x"}).status_code == 200
    telegram_server.reset_faults()
    assert post(telegram_server, "sendMessage", json={"chat_id": 60, "text": "x"}).status_code == 200


def test_concurrent_sends_are_all_recorded(telegram_server):
    errors = []

    def send(chat):
        try:
            response = post(telegram_server, "sendMessage", json={"chat_id": chat, "text": f"to {chat}"})
            assert response.status_code == 200
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(500 + i,)) for i in range(25)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(m.chat_id for m in telegram_server.messages) == list(range(500, 525))
    assert telegram_server.wait_for_messages(25, timeout=1)
    with pytest.raises(TimeoutError):
        telegram_server.wait_for_messages(26, timeout=0.2)


def test_webhook_delivery_to_a_loopback_receiver(telegram_server):
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers.get("X-Telegram-Bot-Api-Secret-Token"), json.loads(body)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        hook = f"http://127.0.0.1:{httpd.server_address[1]}/telegram/webhook/"
        response = post(telegram_server, "setWebhook", json={"url": hook, "secret_token": "abc_DEF-1",
                                                             "allowed_updates": ["message"]})
        assert response.json() == {"ok": True, "result": True}
        sent = post(telegram_server, "sendMessage", json={"chat_id": 70, "text": "Pick"}).json()["result"]
        update = telegram_server.message_update(70, "/start abc123")
        assert telegram_server.deliver_update(update).status_code == 200
        press = telegram_server.callback_update(70, sent["message_id"], "approve:1")
        assert telegram_server.deliver_update(press, secret_token="").status_code == 200
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert received[0][0] == "abc_DEF-1"
    assert received[0][1]["message"]["text"] == "/start abc123"
    assert received[0][1]["message"]["entities"][0]["type"] == "bot_command"
    assert received[1][0] is None
    assert received[1][1]["callback_query"]["data"] == "approve:1"
    assert received[1][1]["callback_query"]["message"]["text"] == "Pick"
    assert received[0][1]["update_id"] < received[1][1]["update_id"]


def test_webhook_delivery_refuses_non_loopback_hosts(telegram_server):
    post(telegram_server, "setWebhook", json={"url": "https://portal.example/hook", "secret_token": "x"})
    with pytest.raises(RuntimeError, match="non-loopback"):
        telegram_server.deliver_update({"update_id": 1})


def test_clear_forgets_everything(telegram_server):
    post(telegram_server, "sendMessage", json={"chat_id": 80, "text": "x"})
    post(telegram_server, "sendMessage", json={"chat_id": 80, "text": "x"})
    telegram_server.block_chat(81)
    telegram_server.clear()
    assert telegram_server.messages == [] and telegram_server.requests == []
    assert telegram_server.rate_limited == 0
    assert post(telegram_server, "sendMessage", json={"chat_id": 80, "text": "x"}).status_code == 200
    assert post(telegram_server, "sendMessage", json={"chat_id": 81, "text": "x"}).status_code == 200
