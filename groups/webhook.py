"""The Telegram webhook: /start <token> links, /stop unlinks, Approve/Reject buttons act on orders.

Telegram sends ``X-Telegram-Bot-Api-Secret-Token`` with every update; it is compared
in constant time with ``TELEGRAM_WEBHOOK_SECRET``.  A button press runs the same
service (and so the same FSM permission) as the web page.
"""

import hmac
import json
import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy, trans_real
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from common.language import both_languages
from missions.models import MissionOrder
from missions.services import TransitionRefused, order_approve, order_reject

from . import services
from .models import Notice, TelegramAccount
from .receivers import unsign_callback
from .telegram.client import TelegramClient, TelegramError
from .telegram.text import escape_html

log = logging.getLogger(__name__)

# The bot's replies carry both languages: it does not know its reader's.
OPEN_PROFILE = gettext_lazy("Open the portal's profile page to link your account.")
LINK_USED = gettext_lazy("This link has expired or was already used.")
# The Khmer names the linked official (%(name)s); the English does not.
LINKED = gettext_lazy("Linked: you will receive the portal's notices here.")
UNLINKED = gettext_lazy("Unlinked: no more notices here.")

REJECT_REASON = gettext_lazy("Rejected from Telegram")  # stored in both languages (both_languages)


def _secret_ok(request) -> bool:
    expected = settings.TELEGRAM_WEBHOOK_SECRET
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


def _reply(chat_id, text: str) -> JsonResponse:
    """Answer the update with one Bot API call in the webhook response (no extra request)."""
    return JsonResponse({"method": "sendMessage", "chat_id": chat_id, "text": text, "parse_mode": "HTML"})


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@csrf_exempt
@require_POST
def telegram_webhook(request):
    if not _secret_ok(request):
        return HttpResponseForbidden("forbidden")
    try:
        update = json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest("bad update")
    if not isinstance(update, dict):
        return HttpResponseBadRequest("bad update")
    try:
        with translation.override("km"):
            if isinstance(update.get("callback_query"), dict):
                return _callback(update["callback_query"])
            message = update.get("message")
            if isinstance(message, dict) and isinstance(message.get("text"), str):
                return _command(message)
    except Exception:  # noqa: BLE001  (an update we cannot read is dropped: Telegram would resend a 500 forever)
        log.exception("webhook: update %s could not be handled", update.get("update_id"))
    return HttpResponse(status=204)


def _command(message: dict):
    chat = _dict(message.get("chat"))
    sender = _dict(message.get("from"))
    if chat.get("type") != "private" or _int(sender.get("id")) is None or _int(chat.get("id")) is None:
        return HttpResponse(status=204)
    text = message["text"].strip()
    command, _sep, payload = text.partition(" ")
    command = command.split("@", 1)[0]
    if command == "/start":
        token = payload.strip()
        if not token:
            return _reply(chat["id"], both_languages(OPEN_PROFILE, "\n"))
        try:
            account = services.telegram_link(token=token[:64], telegram_user_id=sender["id"], chat_id=chat["id"],
                                             username=str(sender.get("username") or ""))
        except services.TransitionRefused:
            return _reply(chat["id"], both_languages(LINK_USED, "\n"))
        name = escape_html(account.official.display_name_km)
        return _reply(chat["id"], "✅ " + both_languages(LINKED, "\n", name=name))
    if command == "/stop":
        services.telegram_unlink(telegram_user_id=sender["id"])
        return _reply(chat["id"], both_languages(UNLINKED, "\n"))
    return HttpResponse(status=204)


def _bot():
    if not settings.TELEGRAM_BOT_TOKEN:
        return None
    return TelegramClient(settings.TELEGRAM_BOT_TOKEN, base_url=settings.TELEGRAM_API_URL)


def _callback(query: dict):
    bot = _bot()
    query_id = str(query.get("id", ""))
    sender = _dict(query.get("from"))
    message = _dict(query.get("message"))
    parsed = unsign_callback(str(query.get("data", "")))
    sender_id = _int(sender.get("id"))
    account = TelegramAccount.objects.select_related("official__user").filter(
        telegram_user_id=sender_id).first() if sender_id is not None else None
    outcome, edit = _act(parsed, account)
    chat_id, message_id = _int(_dict(message.get("chat")).get("id")), _int(message.get("message_id"))
    if bot is not None and query_id:
        try:
            bot.answer_callback_query(query_id, text=outcome[:200], show_alert=not edit)
            if edit and message_id and chat_id is not None:
                bot.edit_message_text(chat_id, message_id,
                                      f"{_original_html(chat_id, message_id, message)}\n\n<b>{escape_html(outcome)}</b>",
                                      reply_markup={"inline_keyboard": []})
        except TelegramError as exc:
            log.warning("callback %s: %s", query_id, exc)
    return HttpResponse(status=204)


def _original_html(chat_id: int, message_id: int, message: dict) -> str:
    """The message as the portal wrote it (formatting kept), else Telegram's plain text of it, escaped."""
    text = (
        Notice.objects.filter(transport=Notice.Transport.TELEGRAM, chat_id=chat_id, telegram_message_id=message_id)
        .values_list("text", flat=True).first()
    )
    if text and len(text) <= 3500:
        return text
    return escape_html(str(message.get("text") or ""))


def _both_languages(message_km: str) -> str:
    """A refusal for a pop-up in Khmer and English: the catalogue's English when the message has one."""
    catalog = trans_real.translation("km")._catalog
    english = next((msgid for msgid, msgstr in catalog.items() if msgstr == message_km and isinstance(msgid, str)),
                   None)
    if english is None or english == message_km:
        english = "This cannot be done now; open the order in the portal."
    return f"{message_km} / {english}"


def _act(parsed, account) -> tuple[str, bool]:
    """(text for the user, whether the message should show the outcome)."""
    if parsed is None:
        return both_languages(gettext_lazy("Invalid button")), False
    if account is None or account.official.user is None or not account.official.active:
        return both_languages(gettext_lazy("This Telegram account is not linked to the portal")), False
    action, order_id = parsed
    order = MissionOrder.objects.filter(pk=order_id).first()
    if order is None:
        return both_languages(gettext_lazy("Order not found")), False
    user = account.official.user
    target = "approved" if action == "a" else "rejected"
    if order.state == target:
        return both_languages(gettext_lazy("Already approved") if action == "a" else gettext_lazy("Already rejected")), True
    try:
        if action == "a":
            order_approve(order=order, by=user, note="Telegram")
            return "✅ " + both_languages(gettext_lazy("Approved")), True
        order_reject(order=order, by=user, reason=both_languages(REJECT_REASON))
        return "❌ " + both_languages(gettext_lazy("Rejected")), True
    except TransitionRefused as exc:
        return _both_languages(str(exc.message)), False
