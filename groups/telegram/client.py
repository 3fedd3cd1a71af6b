"""A small synchronous client for the Telegram Bot API.

Every call opens a fresh ``httpx.Client`` and closes it again, so a client
object can be created anywhere (a Celery task, a management command, a view)
without sharing connections or an event loop between threads or processes.

Failures are classified from Telegram's JSON error shape
``{"ok": false, "error_code": ..., "description": ..., "parameters": {...}}``:

* ``RetryAfter``   - 429 flood control; ``retry_after`` seconds to wait.
* ``ChatMigrated`` - the group became a supergroup; ``new_chat_id`` to use.
* ``Forbidden``    - 403, e.g. the bot was blocked or removed (permanent).
* ``BadRequest``   - 400, e.g. "chat not found" (permanent).
* ``Unauthorized`` - 401/404 on the bot token (permanent).
* ``TransientError`` - 5xx, network errors, timeouts, answers that are not JSON.
"""

from __future__ import annotations

import json
import logging
import math
import re
import ssl
import threading
from typing import Any

import httpx

DEFAULT_BASE_URL = "https://api.telegram.org"
DEFAULT_TIMEOUT = 10.0

_TOKEN_IN_URL = re.compile(r"/bot(\d+):[A-Za-z0-9_-]+")


def redact_token(text: str) -> str:
    """Replace the secret half of a bot token in a URL path with ``***``."""
    return _TOKEN_IN_URL.sub(r"/bot\1:***", text)


class _RedactBotToken(logging.Filter):
    """Keeps bot tokens out of httpx's request log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                redact_token(str(arg)) if isinstance(arg, (str, httpx.URL)) and "/bot" in str(arg) else arg
                for arg in record.args
            )
        elif isinstance(record.msg, str) and "/bot" in record.msg:
            record.msg = redact_token(record.msg)
        return True


_ssl_lock = threading.Lock()
_ssl_context: ssl.SSLContext | None = None


def _shared_ssl_context() -> ssl.SSLContext:
    """One verified TLS context for all calls (building one costs tens of ms)."""
    global _ssl_context
    with _ssl_lock:
        if _ssl_context is None:
            import certifi

            _ssl_context = ssl.create_default_context(cafile=certifi.where())
        return _ssl_context


_httpx_logger = logging.getLogger("httpx")
if not any(isinstance(f, _RedactBotToken) for f in _httpx_logger.filters):
    _httpx_logger.addFilter(_RedactBotToken())


class TelegramError(Exception):
    """Base class of every failure of a Bot API call."""

    permanent = False

    def __init__(
        self,
        description: str,
        error_code: int | None = None,
        parameters: dict[str, Any] | None = None,
        method: str | None = None,
    ):
        super().__init__(description)
        self.description = description
        self.error_code = error_code
        self.parameters = dict(parameters or {})
        self.method = method

    def __str__(self) -> str:
        prefix = f"[{self.error_code}] " if self.error_code is not None else ""
        where = f" ({self.method})" if self.method else ""
        return f"{prefix}{self.description}{where}"

    def __reduce__(self):
        return (_rebuild_error, (type(self), self.__dict__.copy()))


def _rebuild_error(cls, state):
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("description", ""))
    error.__dict__.update(state)
    return error


class TransientError(TelegramError):
    """Worth retrying later: server errors, network failures, timeouts."""

    permanent = False


class RetryAfter(TelegramError):
    """Flood control: wait ``retry_after`` seconds before sending again."""

    permanent = False

    def __init__(
        self,
        retry_after: int,
        description: str | None = None,
        error_code: int | None = 429,
        parameters: dict[str, Any] | None = None,
        method: str | None = None,
    ):
        self.retry_after = int(retry_after)
        params = dict(parameters or {})
        params.setdefault("retry_after", self.retry_after)
        super().__init__(
            description or f"Too Many Requests: retry after {self.retry_after}",
            error_code,
            params,
            method,
        )


class ChatMigrated(TelegramError):
    """The group chat was upgraded to a supergroup with ``new_chat_id``."""

    permanent = False

    def __init__(
        self,
        new_chat_id: int,
        description: str | None = None,
        error_code: int | None = 400,
        parameters: dict[str, Any] | None = None,
        method: str | None = None,
    ):
        self.new_chat_id = int(new_chat_id)
        params = dict(parameters or {})
        params.setdefault("migrate_to_chat_id", self.new_chat_id)
        super().__init__(
            description or f"Bad Request: group chat was upgraded to a supergroup chat {self.new_chat_id}",
            error_code,
            params,
            method,
        )


class PermanentError(TelegramError):
    """Retrying the same request will fail the same way."""

    permanent = True


class Forbidden(PermanentError):
    """403: the bot was blocked by the user, kicked from the group, ..."""


class BadRequest(PermanentError):
    """400: chat not found, message too long, can't parse entities, ..."""


class Unauthorized(PermanentError):
    """401 (or 404 on every method): the bot token is wrong or revoked."""


def classify_error(payload: dict[str, Any], http_status: int, method: str | None = None) -> TelegramError:
    """Turn an ``{"ok": false, ...}`` answer into the matching exception."""
    raw_code = payload.get("error_code", http_status)
    try:
        code = int(raw_code)
    except (TypeError, ValueError):
        code = http_status
    description = str(payload.get("description") or f"HTTP {http_status}")
    parameters = payload.get("parameters")
    if not isinstance(parameters, dict):
        parameters = {}

    if parameters.get("migrate_to_chat_id") is not None:
        try:
            new_id = int(parameters["migrate_to_chat_id"])
        except (TypeError, ValueError):
            new_id = None
        if new_id is not None:
            return ChatMigrated(new_id, description, code, parameters, method)
    if code == 429 or parameters.get("retry_after") is not None:
        try:
            retry_after = max(1, math.ceil(float(parameters.get("retry_after", 1))))
        except (TypeError, ValueError):
            retry_after = 1
        return RetryAfter(retry_after, description, code, parameters, method)
    if code >= 500 or http_status >= 500:
        return TransientError(description, code, parameters, method)
    if code == 403:
        return Forbidden(description, code, parameters, method)
    if code == 400:
        return BadRequest(description, code, parameters, method)
    if code == 401 or (code == 404 and description == "Not Found"):
        return Unauthorized(description, code, parameters, method)
    return PermanentError(description, code, parameters, method)


class TelegramClient:
    """Bot API calls over HTTPS; requests go to ``{base_url}/bot{token}/{method}``."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
    ):
        if not token:
            raise ValueError("a bot token is required")
        self.token = token
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"<TelegramClient {self.base_url} bot{self.token.split(':', 1)[0]}:***>"

    def method_url(self, method: str) -> str:
        return f"{self.base_url}/bot{self.token}/{method}"

    def _redact(self, text: str) -> str:
        return redact_token(text.replace(self.token, "***"))

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> Any:
        """Call ``method`` and return its decoded ``result``.

        Without ``files`` the parameters go as a JSON body; with files the
        request is ``multipart/form-data`` and non-string values are JSON-encoded.
        ``None`` values are left out.
        """
        params = {k: v for k, v in (params or {}).items() if v is not None}
        url = self.method_url(method)
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=False, verify=_shared_ssl_context()) as http:
                if files:
                    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
                    response = http.post(url, data=data, files=files)
                else:
                    response = http.post(url, json=params)
        except httpx.TimeoutException as exc:
            raise TransientError(f"timeout: {type(exc).__name__}", None, None, method) from None
        except httpx.HTTPError as exc:
            detail = self._redact(str(exc)) or type(exc).__name__
            raise TransientError(f"network error: {type(exc).__name__}: {detail}", None, None, method) from None

        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or "ok" not in payload:
            raise TransientError(
                f"unexpected answer: HTTP {response.status_code} without a Bot API JSON body",
                response.status_code,
                None,
                method,
            )
        if payload.get("ok") is True:
            return payload.get("result")
        raise classify_error(payload, response.status_code, method)

    # --- methods -----------------------------------------------------------

    def get_me(self) -> dict[str, Any]:
        return self.call("getMe")

    def send_message(
        self,
        chat_id: int | str,
        text: str,
        parse_mode: str | None = "HTML",
        reply_markup: dict[str, Any] | None = None,
        disable_web_page_preview: bool = True,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": parse_mode}
        if reply_markup is not None:
            params["reply_markup"] = reply_markup
        if disable_web_page_preview:
            params["link_preview_options"] = {"is_disabled": True}
        return self.call("sendMessage", params)

    def send_document(
        self,
        chat_id: int | str,
        filename: str,
        content_bytes: bytes,
        caption: str | None = None,
        parse_mode: str | None = "HTML",
        mime_type: str = "application/octet-stream",
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"chat_id": str(chat_id)}
        if caption:
            params["caption"] = caption
            if parse_mode:
                params["parse_mode"] = parse_mode
        files = {"document": (filename, bytes(content_bytes), mime_type)}
        return self.call("sendDocument", params, files=files)

    def edit_message_text(
        self,
        chat_id: int | str,
        message_id: int,
        text: str,
        reply_markup: dict[str, Any] | None = None,
        parse_mode: str | None = "HTML",
    ) -> dict[str, Any] | bool:
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "text": text,
            "parse_mode": parse_mode,
            "link_preview_options": {"is_disabled": True},
        }
        if reply_markup is not None:
            params["reply_markup"] = reply_markup
        return self.call("editMessageText", params)

    def edit_message_caption(
        self, chat_id: int | str, message_id: int, caption: str, parse_mode: str | None = "HTML"
    ) -> dict[str, Any] | bool:
        params: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "caption": caption,
                                  "parse_mode": parse_mode}
        return self.call("editMessageCaption", params)

    def delete_message(self, chat_id: int | str, message_id: int) -> bool:
        """Telegram lets a bot delete its own messages for 48 hours; later it answers 400 "message can't be
        deleted" (``BadRequest``)."""
        return self.call("deleteMessage", {"chat_id": chat_id, "message_id": message_id})

    def answer_callback_query(
        self, callback_query_id: str, text: str | None = None, show_alert: bool = False
    ) -> bool:
        params: dict[str, Any] = {"callback_query_id": callback_query_id, "text": text}
        if show_alert:
            params["show_alert"] = True
        return self.call("answerCallbackQuery", params)

    def set_webhook(
        self,
        url: str,
        secret_token: str,
        allowed_updates: list[str] | None = None,
        drop_pending_updates: bool = False,
    ) -> bool:
        params: dict[str, Any] = {
            "url": url,
            "secret_token": secret_token,
            "allowed_updates": list(allowed_updates) if allowed_updates is not None else None,
        }
        if drop_pending_updates:
            params["drop_pending_updates"] = True
        return self.call("setWebhook", params)

    def delete_webhook(self, drop_pending_updates: bool = False) -> bool:
        params = {"drop_pending_updates": True} if drop_pending_updates else {}
        return self.call("deleteWebhook", params)

    def get_webhook_info(self) -> dict[str, Any]:
        return self.call("getWebhookInfo")
