"""A fake Telegram Bot API server on loopback, for tests.

    with FakeTelegramServer() as server:
        client = TelegramClient(server.token, base_url=server.base_url)
        client.send_message(42, "hi")
        assert server.messages[0].text == "hi"

It answers ``/bot<token>/<method>`` with Telegram's JSON shapes for getMe,
sendMessage, sendDocument, editMessageText, editMessageCaption, deleteMessage,
answerCallbackQuery, setWebhook, deleteWebhook and getWebhookInfo, and enforces Telegram's flood limits on
its own (per chat, per group per minute, global per second): a request over a
limit gets a 429 and is counted in ``rate_limited``.

Fault injection (queued faults are used in the order they were added, by the
first request they match; ``chat_id``/``method`` of ``None`` match any):

* ``fail_rate_limit(chat_id, times, retry_after)`` - forced 429s.  After a 429
  the chat is in flood wait: a send to it before ``retry_after`` has passed is
  answered 429 again and recorded in ``early_retries``.
* ``fail_server_error(times, status, chat_id, method, json_body)`` - 5xx.
* ``drop_connection(times, chat_id, method)`` - close without answering.
* ``delay_response(seconds, times, chat_id, method)`` - answer late.
* ``block_chat(chat_id)`` - 403 "Forbidden: bot was blocked by the user".
* ``kick_from_chat(chat_id)`` - 403 "Forbidden: bot was kicked from the group chat".
* ``unknown_chat(chat_id)`` - 400 "Bad Request: chat not found".
* ``migrate_chat(old_id, new_id)`` - 400 with ``parameters.migrate_to_chat_id``
  for every request to ``old_id``; ``new_id`` works.
* ``restore_chat(chat_id)`` undoes the last four; ``reset_faults()`` clears all.

A bot deletes its own messages only within 48 hours of sending them (``DELETE_WINDOW`` on ``clock``): later,
deleteMessage answers 400 "Bad Request: message can't be deleted"; a deleted message stays in ``messages``
with ``deleted`` set, and editing it answers "message to edit not found".

The limits are judged on ``clock`` (``time.monotonic`` unless given): a test that
checks them sets a ``ManualClock`` and moves it, so that no answer depends on how
fast the machine happens to be.
"""

from __future__ import annotations

import email.parser
import email.policy
import html
import json
import math
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

DEFAULT_TOKEN = "123456789:AAFakeTokenForTests-0123456789abcdef"

LIMITED_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto", "copymessage", "forwardmessage"})
CHAT_METHODS = frozenset({"sendmessage", "senddocument", "editmessagetext", "editmessagecaption", "deletemessage"})
METHODS = {
    "getme": "getMe",
    "sendmessage": "sendMessage",
    "senddocument": "sendDocument",
    "editmessagetext": "editMessageText",
    "editmessagecaption": "editMessageCaption",
    "deletemessage": "deleteMessage",
    "answercallbackquery": "answerCallbackQuery",
    "setwebhook": "setWebhook",
    "deletewebhook": "deleteWebhook",
    "getwebhookinfo": "getWebhookInfo",
}

MESSAGE_LIMIT = 4096
DELETE_WINDOW = 48 * 3600  # a bot may delete its own messages for 48 hours
CAPTION_LIMIT = 1024
MAX_DOCUMENT_SIZE = 50 * 1024 * 1024

_ALLOWED_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
     "a", "tg-emoji", "code", "pre", "blockquote"}
)
_HTML_TOKEN = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)>"
    r"|&(#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]*);"
    r"|[<>&]"
)
_NAMED_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ManualClock:
    """A clock that moves only when told to: ``clock()`` reads it, ``clock.advance(s)`` moves it."""

    def __init__(self, start: float = 1000.0):
        self._now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._now += float(seconds)
            return self._now

    def set(self, value: float) -> None:
        with self._lock:
            self._now = float(value)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def parse_html(text: str) -> str:
    """The plain text Telegram would show for ``text`` in HTML parse mode.

    Raises ``ValueError`` with Telegram-like wording for markup it rejects.
    """
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for match in _HTML_TOKEN.finditer(text):
        out.append(text[pos : match.start()])
        pos = match.end()
        offset = len(text[: match.start()].encode("utf-8"))
        raw = match.group(0)
        if match.group(2):
            name = match.group(2).lower()
            if match.group(1):
                if not stack:
                    raise ValueError(f"Unexpected end tag at byte offset {offset}")
                if stack[-1] != name:
                    raise ValueError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
                stack.pop()
            else:
                if name not in _ALLOWED_TAGS:
                    raise ValueError(f'Unsupported start tag "{name}" at byte offset {offset}')
                stack.append(name)
        elif match.group(4):
            ent = match.group(4)
            if not ent.startswith("#") and ent.lower() not in _NAMED_ENTITIES:
                raise ValueError(f'Unsupported HTML entity "&{ent};" at byte offset {offset}')
            out.append(html.unescape(raw))
        else:
            raise ValueError(f'Character "{raw}" is reserved and must be escaped at byte offset {offset}')
    out.append(text[pos:])
    if stack:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


@dataclass
class SentMessage:
    message_id: int
    chat_id: int | str
    method: str
    text: str | None
    parse_mode: str | None
    reply_markup: dict | None
    time: float  # the server's clock (time.monotonic() unless set) on arrival
    wall_time: float  # time.time() on arrival
    document_filename: str | None = None
    document_size: int | None = None
    document_mime_type: str | None = None
    document_content: bytes | None = field(default=None, repr=False)
    edits: list[str] = field(default_factory=list)  # the texts (or captions) it was edited to, in order
    deleted: bool = False

    @property
    def caption(self) -> str | None:
        return self.text if self.method == "sendDocument" else None

    @property
    def current(self) -> str | None:
        """What the chat shows now: the last edit, else what was sent."""
        return self.edits[-1] if self.edits else self.text


@dataclass
class RequestRecord:
    method: str
    chat_id: int | str | None
    status: int  # HTTP status answered; 0 when the connection was dropped
    description: str
    time: float
    params: dict = field(repr=False, default_factory=dict)


@dataclass
class RateLimitEvent:
    chat_id: int | str
    method: str
    reason: str  # "chat", "group" or "global"
    retry_after: int
    time: float


@dataclass
class EarlyRetry:
    chat_id: int | str
    method: str
    time: float
    retry_at: float
    early_by: float  # seconds before the end of the flood wait


@dataclass
class _Fault:
    kind: str
    times: int
    chat_id: int | str | None = None
    method: str | None = None
    retry_after: int = 1
    status: int = 500
    json_body: bool = True
    seconds: float = 0.0

    def matches(self, method: str, chat_id) -> bool:
        if self.method is not None and self.method.lower() != method.lower():
            return False
        if self.chat_id is not None and (chat_id is None or _chat_key(self.chat_id) != _chat_key(chat_id)):
            return False
        return True


class _Answer(Exception):
    def __init__(self, status: int, payload: dict | None = None, raw: bytes | None = None):
        super().__init__(status)
        self.status = status
        self.payload = payload
        self.raw = raw


def _error(code: int, description: str, parameters: dict | None = None) -> _Answer:
    payload: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        payload["parameters"] = parameters
    return _Answer(code, payload)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Server Error"


def _chat_key(chat_id) -> int | str:
    if isinstance(chat_id, bool):
        return str(chat_id)
    if isinstance(chat_id, int):
        return chat_id
    text = str(chat_id).strip()
    if re.fullmatch(r"-?\d{1,20}", text):
        return int(text)
    return text


def _is_group(chat_id) -> bool:
    return isinstance(chat_id, int) and chat_id < 0


def _chat_type(chat_id) -> str:
    if isinstance(chat_id, str):
        return "channel"
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id <= -1_000_000_000_000 else "group"


def _as_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes"}


def _as_json(value, what: str):
    if value is None or isinstance(value, (dict, list)):
        return value
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        raise _error(400, f"Bad Request: can't parse {what} JSON object") from None


class FakeTelegramServer:
    """A Bot API look-alike on ``http://127.0.0.1:<port>``; see the module doc."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        per_chat_interval: float = 1.0,
        group_max: int = 20,
        group_window: float = 60.0,
        global_max: int = 30,
        global_window: float = 1.0,
        jitter: float = 0.1,
        enforce_limits: bool = True,
        limited_methods: frozenset[str] | set[str] = LIMITED_METHODS,
        max_document_size: int = MAX_DOCUMENT_SIZE,
        bot_username: str = "fake_portal_bot",
        clock=None,
    ):
        self.token = token
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_username = bot_username
        self.per_chat_interval = per_chat_interval
        self.group_max = group_max
        self.group_window = group_window
        self.global_max = global_max
        self.global_window = global_window
        self.jitter = jitter
        self.enforce_limits = enforce_limits
        self.limited_methods = frozenset(m.lower() for m in limited_methods)
        self.max_document_size = max_document_size
        self.clock = clock or time.monotonic

        self._cond = threading.Condition()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._reset_state()

    def _reset_state(self) -> None:
        self._messages: list[SentMessage] = []
        self._by_id: dict[tuple[int | str, int], SentMessage] = {}
        self._next_message_id: dict[int | str, int] = {}
        self._requests: list[RequestRecord] = []
        self._callback_answers: list[dict] = []
        self._rate_events: list[RateLimitEvent] = []
        self._early: list[EarlyRetry] = []
        self._faults: list[_Fault] = []
        self._chat_state: dict[int | str, tuple[int, str, dict | None]] = {}
        self._flood_until: dict[int | str, float] = {}
        self._last_sent: dict[int | str, float] = {}
        self._group_sent: dict[int | str, deque[float]] = {}
        self._global_sent: deque[float] = deque()
        self._update_id = 100_000
        self.webhook: dict[str, Any] = {"url": "", "secret_token": None, "allowed_updates": None}

    # --- lifecycle -----------------------------------------------------------

    def start(self) -> "FakeTelegramServer":
        if self._httpd is not None:
            return self
        handler = type("_BoundHandler", (_Handler,), {"fake": self})
        httpd = _HTTPServer(("127.0.0.1", 0), handler)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-telegram", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "FakeTelegramServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("fake Telegram server not started")
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, method: str, token: str | None = None) -> str:
        return f"{self.base_url}/bot{token or self.token}/{method}"

    # --- recorded traffic ----------------------------------------------------

    @property
    def messages(self) -> list[SentMessage]:
        with self._cond:
            return list(self._messages)

    def messages_to(self, chat_id) -> list[SentMessage]:
        key = _chat_key(chat_id)
        with self._cond:
            return [m for m in self._messages if m.chat_id == key]

    def texts(self, chat_id=None) -> list[str | None]:
        msgs = self.messages if chat_id is None else self.messages_to(chat_id)
        return [m.text for m in msgs]

    def documents(self, chat_id=None) -> list[SentMessage]:
        msgs = self.messages if chat_id is None else self.messages_to(chat_id)
        return [m for m in msgs if m.method == "sendDocument"]

    @property
    def requests(self) -> list[RequestRecord]:
        with self._cond:
            return list(self._requests)

    @property
    def callback_answers(self) -> list[dict]:
        with self._cond:
            return list(self._callback_answers)

    @property
    def rate_limited(self) -> int:
        """How many requests the server's own limit enforcement refused."""
        with self._cond:
            return len(self._rate_events)

    @property
    def rate_limit_events(self) -> list[RateLimitEvent]:
        with self._cond:
            return list(self._rate_events)

    @property
    def early_retries(self) -> list[EarlyRetry]:
        """Sends that came back to a chat before its ``retry_after`` had passed."""
        with self._cond:
            return list(self._early)

    def wait_for_messages(self, count: int, timeout: float = 10.0, chat_id=None) -> list[SentMessage]:
        """Block until ``count`` messages (to ``chat_id`` if given) were accepted."""
        key = None if chat_id is None else _chat_key(chat_id)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for m in self._messages if key is None or m.chat_id == key]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(found)} of {count} messages after {timeout} s")
                self._cond.wait(remaining)

    def clear(self) -> None:
        """Forget recorded traffic, faults, limits and the webhook."""
        with self._cond:
            self._reset_state()

    # --- fault injection ------------------------------------------------------

    def _queue(self, fault: _Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        if fault.chat_id is not None:
            fault.chat_id = _chat_key(fault.chat_id)
        with self._cond:
            self._faults.append(fault)

    def fail_rate_limit(self, chat_id=None, times: int = 1, retry_after: int = 1, method: str | None = None) -> None:
        self._queue(_Fault("429", times, chat_id, method, retry_after=int(retry_after)))

    def fail_server_error(
        self, times: int = 1, status: int = 500, chat_id=None, method: str | None = None, json_body: bool = True
    ) -> None:
        if not 500 <= status <= 599:
            raise ValueError("status must be 5xx")
        self._queue(_Fault("5xx", times, chat_id, method, status=status, json_body=json_body))

    def drop_connection(self, times: int = 1, chat_id=None, method: str | None = None) -> None:
        self._queue(_Fault("drop", times, chat_id, method))

    def delay_response(self, seconds: float, times: int = 1, chat_id=None, method: str | None = None) -> None:
        self._queue(_Fault("delay", times, chat_id, method, seconds=float(seconds)))

    def block_chat(self, chat_id, description: str = "Forbidden: bot was blocked by the user") -> None:
        with self._cond:
            self._chat_state[_chat_key(chat_id)] = (403, description, None)

    def kick_from_chat(self, chat_id, description: str = "Forbidden: bot was kicked from the group chat") -> None:
        self.block_chat(chat_id, description)

    def unknown_chat(self, chat_id, description: str = "Bad Request: chat not found") -> None:
        with self._cond:
            self._chat_state[_chat_key(chat_id)] = (400, description, None)

    def migrate_chat(self, old_chat_id, new_chat_id) -> None:
        params = {"migrate_to_chat_id": _chat_key(new_chat_id)}
        with self._cond:
            self._chat_state[_chat_key(old_chat_id)] = (
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                params,
            )

    def restore_chat(self, chat_id) -> None:
        with self._cond:
            self._chat_state.pop(_chat_key(chat_id), None)

    def reset_faults(self) -> None:
        with self._cond:
            self._faults.clear()
            self._chat_state.clear()
            self._flood_until.clear()

    # --- webhook side ---------------------------------------------------------

    def next_update_id(self) -> int:
        with self._cond:
            self._update_id += 1
            return self._update_id

    def message_update(self, chat_id, text: str, from_id: int | None = None, **user) -> dict:
        """An ``Update`` with a text message from a user in ``chat_id``."""
        chat_key = _chat_key(chat_id)
        sender = {"id": from_id or (chat_key if isinstance(chat_key, int) and chat_key > 0 else 1001),
                  "is_bot": False, "first_name": user.pop("first_name", "Test"), **user}
        chat = {"id": chat_key, "type": _chat_type(chat_key)}
        if chat["type"] == "private":
            chat["first_name"] = sender["first_name"]
        else:
            chat["title"] = "Test group"
        with self._cond:
            self._update_id += 1
            update_id = self._update_id
            message_id = self._take_message_id(chat_key)
        message = {"message_id": message_id, "from": sender, "chat": chat, "date": int(time.time()), "text": text}
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        return {"update_id": update_id, "message": message}

    def callback_update(self, chat_id, message_id: int, data: str, from_id: int = 1001, **user) -> dict:
        """An ``Update`` with a button press on message ``message_id`` in ``chat_id``."""
        chat_key = _chat_key(chat_id)
        sender = {"id": from_id, "is_bot": False, "first_name": user.pop("first_name", "Test"), **user}
        with self._cond:
            self._update_id += 1
            update_id = self._update_id
            original = self._by_id.get((chat_key, int(message_id)))
        message = {
            "message_id": int(message_id),
            "from": self._bot_user(),
            "chat": {"id": chat_key, "type": _chat_type(chat_key)},
            "date": int(time.time()),
            "text": original.text if original and original.text else "",
        }
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"cbq-{update_id}",
                "from": sender,
                "message": message,
                "chat_instance": str(abs(hash(chat_key))),
                "data": data,
            },
        }

    def deliver_update(self, update: dict, secret_token: str | None = None, timeout: float = 10.0):
        """POST ``update`` to the registered webhook (loopback only); returns the httpx response.

        The secret header is the one registered with setWebhook unless
        ``secret_token`` is given (pass "" to send none).
        """
        import httpx

        with self._cond:
            url = self.webhook.get("url") or ""
            registered = self.webhook.get("secret_token")
        if not url:
            raise RuntimeError("no webhook is set")
        host = urlsplit(url).hostname or ""
        if host not in _LOOPBACK_HOSTS:
            raise RuntimeError(f"refusing to deliver to a non-loopback webhook host {host!r}")
        secret = registered if secret_token is None else secret_token
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        with httpx.Client(timeout=timeout) as http:
            return http.post(url, json=update, headers=headers)

    # --- request handling -------------------------------------------------------

    def _bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Fake Portal Bot", "username": self.bot_username}

    def _take_message_id(self, chat_key) -> int:
        nxt = self._next_message_id.get(chat_key, 0) + 1
        self._next_message_id[chat_key] = nxt
        return nxt

    def _record(self, method, chat_id, status, description, params) -> None:
        self._requests.append(RequestRecord(method, chat_id, status, description, self.clock(), params))

    def handle(self, method_raw: str, token: str, params: dict, files: dict) -> tuple[str, int, dict | None, bytes | None, float]:
        """Decide the answer: (action, status, payload, raw body, delay seconds).

        ``action`` is "answer" or "drop".
        """
        method_key = method_raw.lower()
        method = METHODS.get(method_key, method_raw)
        chat_id = _chat_key(params["chat_id"]) if params.get("chat_id") not in (None, "") else None
        delay = 0.0
        with self._cond:
            now = self.clock()
            try:
                if token != self.token:
                    raise _error(401, "Unauthorized")
                if method_key not in METHODS:
                    raise _error(404, "Not Found")

                limited = method_key in self.limited_methods and chat_id is not None
                if limited:
                    until = self._flood_until.get(chat_id)
                    if until is not None and now < until:
                        remaining = until - now
                        self._early.append(EarlyRetry(chat_id, method, now, until, remaining))
                        retry_after = max(1, math.ceil(remaining))
                        raise _error(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

                for fault in list(self._faults):
                    if not fault.matches(method, chat_id):
                        continue
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    if fault.kind == "delay":
                        delay += fault.seconds
                        continue
                    if fault.kind == "drop":
                        self._record(method, chat_id, 0, "connection dropped", params)
                        return "drop", 0, None, None, delay
                    if fault.kind == "5xx":
                        phrase = _phrase(fault.status)
                        if fault.json_body:
                            raise _error(fault.status, phrase)
                        raise _Answer(
                            fault.status,
                            None,
                            f"<html><body><h1>{fault.status} {phrase}</h1></body></html>".encode(),
                        )
                    if fault.kind == "429":
                        if chat_id is not None:
                            self._flood_until[chat_id] = now + fault.retry_after
                        raise _error(
                            429,
                            f"Too Many Requests: retry after {fault.retry_after}",
                            {"retry_after": fault.retry_after},
                        )
                    break

                if chat_id is not None and method_key in CHAT_METHODS:
                    state = self._chat_state.get(chat_id)
                    if state is not None:
                        code, description, parameters = state
                        raise _error(code, description, parameters)
                    if isinstance(chat_id, str) and not chat_id.startswith("@"):
                        raise _error(400, "Bad Request: chat not found")

                result, message = self._dispatch(method_key, method, chat_id, params, files, now)

                if message is not None:
                    self._messages.append(message)
                    self._by_id[(message.chat_id, message.message_id)] = message
                    self._last_sent[message.chat_id] = now
                    if _is_group(message.chat_id):
                        self._group_sent.setdefault(message.chat_id, deque()).append(now)
                    self._global_sent.append(now)
                    self._cond.notify_all()
                self._record(method, chat_id, 200, "", params)
                return "answer", 200, {"ok": True, "result": result}, None, delay
            except _Answer as answer:
                description = answer.payload.get("description", "") if answer.payload else ""
                self._record(method, chat_id, answer.status, description, params)
                return "answer", answer.status, answer.payload, answer.raw, delay

    def _check_limits(self, method: str, chat_id, now: float) -> None:
        if not self.enforce_limits:
            return
        reason = retry = None
        last = self._last_sent.get(chat_id)
        min_gap = self.per_chat_interval - self.jitter
        if last is not None and now - last < min_gap:
            reason, retry = "chat", min_gap - (now - last)
        if reason is None and _is_group(chat_id):
            window = self.group_window - self.jitter
            sent = self._group_sent.get(chat_id, deque())
            while sent and sent[0] <= now - window:
                sent.popleft()
            if len(sent) >= self.group_max:
                reason, retry = "group", sent[0] + window - now
        if reason is None:
            window = self.global_window - self.jitter
            while self._global_sent and self._global_sent[0] <= now - window:
                self._global_sent.popleft()
            if len(self._global_sent) >= self.global_max:
                reason, retry = "global", self._global_sent[0] + window - now
        if reason is None:
            return
        retry_after = max(1, math.ceil(retry))
        self._rate_events.append(RateLimitEvent(chat_id, method, reason, retry_after, now))
        self._flood_until[chat_id] = now + retry_after
        raise _error(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    def _check_text(self, text, parse_mode, limit: int, empty: str, too_long: str) -> str:
        if parse_mode is not None and str(parse_mode) not in {"HTML", "html", "MarkdownV2", "Markdown", ""}:
            raise _error(400, "Bad Request: unsupported parse_mode")
        plain = text
        if parse_mode and str(parse_mode).lower() == "html":
            try:
                plain = parse_html(text)
            except ValueError as exc:
                raise _error(400, f"Bad Request: can't parse entities: {exc}") from None
        if not plain.strip():
            raise _error(400, empty)
        if utf16_len(plain) > limit:
            raise _error(400, too_long)
        return plain

    def _check_markup(self, markup) -> dict | None:
        markup = _as_json(markup, "reply keyboard markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _error(400, "Bad Request: can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is not None:
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _error(400, "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not button.get("text"):
                        raise _error(400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                        raise _error(400, "Bad Request: BUTTON_DATA_INVALID")
                    if data is None and not button.get("url"):
                        raise _error(400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        return markup

    def _message_json(self, msg: SentMessage) -> dict:
        chat = {"id": msg.chat_id, "type": _chat_type(msg.chat_id)}
        if chat["type"] == "private":
            chat["first_name"] = "Test"
        else:
            chat["title"] = "Test group"
        data: dict[str, Any] = {
            "message_id": msg.message_id,
            "from": self._bot_user(),
            "chat": chat,
            "date": int(msg.wall_time),
        }
        if msg.method == "sendDocument":
            data["document"] = {
                "file_name": msg.document_filename,
                "mime_type": msg.document_mime_type,
                "file_id": f"doc-{msg.chat_id}-{msg.message_id}",
                "file_unique_id": f"u{msg.chat_id}{msg.message_id}",
                "file_size": msg.document_size,
            }
            if msg.current:
                data["caption"] = parse_html(msg.current) if (msg.parse_mode or "").lower() == "html" else msg.current
        else:
            current = msg.edits[-1] if msg.edits else msg.text
            data["text"] = parse_html(current) if (msg.parse_mode or "").lower() == "html" else current
            if msg.edits:
                data["edit_date"] = int(time.time())
        if msg.reply_markup:
            data["reply_markup"] = msg.reply_markup
        return data

    @staticmethod
    def _message_id(params: dict) -> int:
        try:
            return int(params.get("message_id"))
        except (TypeError, ValueError):
            raise _error(400, "Bad Request: message identifier is not specified") from None

    def _dispatch(self, key: str, method: str, chat_id, params: dict, files: dict, now: float):
        if key == "getme":
            return {**self._bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
                    "supports_inline_queries": False}, None

        if key == "sendmessage":
            if chat_id is None:
                raise _error(400, "Bad Request: chat_id is empty")
            text = params.get("text")
            if text is None or text == "":
                raise _error(400, "Bad Request: message text is empty")
            parse_mode = params.get("parse_mode") or None
            self._check_text(str(text), parse_mode, MESSAGE_LIMIT,
                             "Bad Request: message text is empty", "Bad Request: message is too long")
            markup = self._check_markup(params.get("reply_markup"))
            self._check_limits(method, chat_id, now)
            msg = SentMessage(self._take_message_id(chat_id), chat_id, method, str(text), parse_mode, markup,
                              now, time.time())
            return self._message_json(msg), msg

        if key == "senddocument":
            if chat_id is None:
                raise _error(400, "Bad Request: chat_id is empty")
            upload = files.get("document")
            if upload is None:
                if params.get("document"):
                    raise _error(400, "Bad Request: wrong remote file identifier specified: Wrong string length")
                raise _error(400, "Bad Request: there is no document in the request")
            filename, content, mime_type = upload
            if not content:
                raise _error(400, "Bad Request: file must be non-empty")
            if len(content) > self.max_document_size:
                raise _error(413, "Request Entity Too Large")
            caption = params.get("caption") or None
            parse_mode = params.get("parse_mode") or None
            if caption is not None:
                self._check_text(str(caption), parse_mode, CAPTION_LIMIT,
                                 "Bad Request: message caption is empty", "Bad Request: message caption is too long")
            markup = self._check_markup(params.get("reply_markup"))
            self._check_limits(method, chat_id, now)
            msg = SentMessage(self._take_message_id(chat_id), chat_id, method, caption, parse_mode, markup, now,
                              time.time(), document_filename=filename or "document", document_size=len(content),
                              document_mime_type=mime_type or "application/octet-stream", document_content=content)
            return self._message_json(msg), msg

        if key == "editmessagetext":
            if chat_id is None:
                raise _error(400, "Bad Request: chat_id is empty")
            try:
                message_id = int(params.get("message_id"))
            except (TypeError, ValueError):
                raise _error(400, "Bad Request: message identifier is not specified") from None
            text = params.get("text")
            if not text:
                raise _error(400, "Bad Request: message text is empty")
            parse_mode = params.get("parse_mode") or None
            self._check_text(str(text), parse_mode, MESSAGE_LIMIT,
                             "Bad Request: message text is empty", "Bad Request: message is too long")
            markup = self._check_markup(params.get("reply_markup"))
            original = self._by_id.get((chat_id, message_id))
            if original is None or original.deleted:
                raise _error(400, "Bad Request: message to edit not found")
            if original.method != "sendMessage":
                raise _error(400, "Bad Request: there is no text in the message to edit")
            current = original.edits[-1] if original.edits else original.text
            if current == str(text) and markup == original.reply_markup:
                raise _error(
                    400,
                    "Bad Request: message is not modified: specified new message content and reply markup are "
                    "exactly the same as a current content and reply markup of the message",
                )
            if method.lower() in self.limited_methods:
                self._check_limits(method, chat_id, now)
            original.edits.append(str(text))
            original.parse_mode = parse_mode
            original.reply_markup = markup
            return self._message_json(original), None

        if key == "editmessagecaption":
            if chat_id is None:
                raise _error(400, "Bad Request: chat_id is empty")
            message_id = self._message_id(params)
            caption = params.get("caption") or None
            parse_mode = params.get("parse_mode") or None
            if caption is not None:
                self._check_text(str(caption), parse_mode, CAPTION_LIMIT,
                                 "Bad Request: message caption is empty", "Bad Request: message caption is too long")
            markup = self._check_markup(params.get("reply_markup"))
            original = self._by_id.get((chat_id, message_id))
            if original is None or original.deleted:
                raise _error(400, "Bad Request: message to edit not found")
            if original.method != "sendDocument":
                raise _error(400, "Bad Request: there is no caption in the message to edit")
            if original.current == caption and markup == original.reply_markup:
                raise _error(
                    400,
                    "Bad Request: message is not modified: specified new message content and reply markup are "
                    "exactly the same as a current content and reply markup of the message",
                )
            original.edits.append(caption or "")
            original.parse_mode = parse_mode
            original.reply_markup = markup
            return self._message_json(original), None

        if key == "deletemessage":
            if chat_id is None:
                raise _error(400, "Bad Request: chat_id is empty")
            message_id = self._message_id(params)
            original = self._by_id.get((chat_id, message_id))
            if original is None or original.deleted:
                raise _error(400, "Bad Request: message to delete not found")
            if now - original.time >= DELETE_WINDOW:
                raise _error(400, "Bad Request: message can't be deleted")
            original.deleted = True
            return True, None

        if key == "answercallbackquery":
            query_id = params.get("callback_query_id")
            if not query_id:
                raise _error(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
            text = params.get("text")
            if text is not None and len(str(text)) > 200:
                raise _error(400, "Bad Request: MESSAGE_TOO_LONG")
            self._callback_answers.append(
                {"callback_query_id": str(query_id), "text": text, "show_alert": _as_bool(params.get("show_alert", False)),
                 "time": now}
            )
            return True, None

        if key == "setwebhook":
            url = params.get("url", "")
            secret = params.get("secret_token")
            if secret is not None and secret != "" and not _SECRET_TOKEN.match(str(secret)):
                raise _error(400, "Bad Request: secret token contains unallowed characters")
            allowed = _as_json(params.get("allowed_updates"), "allowed updates")
            if allowed is not None and not (isinstance(allowed, list) and all(isinstance(a, str) for a in allowed)):
                raise _error(400, "Bad Request: can't parse allowed updates JSON object")
            if url:
                parts = urlsplit(str(url))
                if parts.scheme not in {"http", "https"} or not parts.hostname:
                    raise _error(400, "Bad Request: bad webhook: Failed to resolve host: Name or service not known")
            self.webhook = {
                "url": str(url),
                "secret_token": str(secret) if secret else None,
                "allowed_updates": allowed,
            }
            return True, None

        if key == "deletewebhook":
            self.webhook = {"url": "", "secret_token": None, "allowed_updates": None}
            return True, None

        if key == "getwebhookinfo":
            info: dict[str, Any] = {
                "url": self.webhook["url"],
                "has_custom_certificate": False,
                "pending_update_count": 0,
            }
            if self.webhook["url"]:
                info["max_connections"] = 40
                info["ip_address"] = "127.0.0.1"
            if self.webhook["allowed_updates"] is not None:
                info["allowed_updates"] = self.webhook["allowed_updates"]
            return info, None

        raise _error(404, "Not Found")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


_PATH = re.compile(r"^/bot(?P<token>[^/]*)/(?P<method>[A-Za-z]+)/?$")


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTelegramServer
    protocol_version = "HTTP/1.1"
    server_version = "FakeTelegram/1.0"

    def log_message(self, format, *args):
        return

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self._serve()

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        return self.rfile.read(int(length))

    def _parse(self, body: bytes) -> tuple[dict, dict]:
        query = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        params: dict[str, Any] = dict(query)
        files: dict[str, tuple[str, bytes, str]] = {}
        ctype = self.headers.get("Content-Type", "")
        main = ctype.split(";", 1)[0].strip().lower()
        if not body:
            return params, files
        if main == "application/json":
            try:
                data = json.loads(body)
            except ValueError:
                raise _error(400, "Bad Request: can't parse JSON encoded request") from None
            if not isinstance(data, dict):
                raise _error(400, "Bad Request: can't parse JSON encoded request")
            params.update(data)
        elif main == "application/x-www-form-urlencoded":
            params.update(dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)))
        elif main == "multipart/form-data":
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + body
            )
            if not message.is_multipart():
                raise _error(400, "Bad Request: can't parse multipart request")
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if not name:
                    continue
                payload = part.get_payload(decode=True) or b""
                filename = part.get_filename()
                if filename is not None:
                    files[name] = (filename, payload, part.get_content_type())
                else:
                    charset = part.get_content_charset() or "utf-8"
                    params[name] = payload.decode(charset)
        return params, files

    def _serve(self):
        body = self._read_body()
        match = _PATH.match(urlsplit(self.path).path)
        if not match:
            self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"}, None)
            return
        try:
            params, files = self._parse(body)
        except _Answer as answer:
            self._send(answer.status, answer.payload, answer.raw)
            return
        action, status, payload, raw, delay = self.fake.handle(match["method"], match["token"], params, files)
        if delay:
            time.sleep(delay)
        if action == "drop":
            self.close_connection = True
            return
        self._send(status, payload, raw)

    def _send(self, status: int, payload: dict | None, raw: bytes | None) -> None:
        if raw is not None:
            body, ctype = raw, "text/html"
        else:
            body, ctype = json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json"
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
