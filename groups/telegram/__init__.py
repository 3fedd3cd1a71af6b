"""Telegram Bot API transport: an httpx client, HTML text helpers."""

from .client import (
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
from .text import CAPTION_LIMIT, MESSAGE_LIMIT, escape_html, fit_caption, split_message, utf16_len

__all__ = [
    "BadRequest",
    "CAPTION_LIMIT",
    "ChatMigrated",
    "Forbidden",
    "MESSAGE_LIMIT",
    "PermanentError",
    "RetryAfter",
    "TelegramClient",
    "TelegramError",
    "TransientError",
    "Unauthorized",
    "classify_error",
    "escape_html",
    "fit_caption",
    "split_message",
    "utf16_len",
]
