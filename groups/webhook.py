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
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from missions.models import MissionOrder
from missions.services import TransitionRefused, order_approve, order_reject

from . import services
from .models import TelegramAccount
from .receivers import unsign_callback
from .telegram.client import TelegramClient, TelegramError
from .telegram.text import escape_html

log = logging.getLogger(__name__)

REJECT_REASON = "បដិសេធតាម Telegram / Rejected from Telegram"


def _secret_ok(request) -> bool:
    expected = settings.TELEGRAM_WEBHOOK_SECRET
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


def _reply(chat_id, text: str) -> JsonResponse:
    """Answer the update with one Bot API call in the webhook response (no extra request)."""
    return JsonResponse({"method": "sendMessage", "chat_id": chat_id, "text": text, "parse_mode": "HTML"})


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
    with translation.override("km"):
        if isinstance(update.get("callback_query"), dict):
            return _callback(update["callback_query"])
        message = update.get("message")
        if isinstance(message, dict) and isinstance(message.get("text"), str):
            return _command(message)
    return HttpResponse(status=204)


def _command(message: dict):
    chat = message.get("chat") or {}
    sender = message.get("from") or {}
    if chat.get("type") != "private" or not isinstance(sender.get("id"), int):
        return HttpResponse(status=204)
    text = message["text"].strip()
    command, _sep, payload = text.partition(" ")
    command = command.split("@", 1)[0]
    if command == "/start":
        token = payload.strip()
        if not token:
            return _reply(chat["id"], "សូមភ្ជាប់គណនីពីទំព័រប្រវត្តិរូបនៃវិបផតថល។\nOpen the portal's profile page to link your account.")
        try:
            account = services.telegram_link(token=token, telegram_user_id=sender["id"], chat_id=chat["id"],
                                             username=sender.get("username", ""))
        except services.ActionRefused:
            return _reply(chat["id"], "តំណនេះផុតកំណត់ ឬបានប្រើរួចហើយ។\nThis link has expired or was already used.")
        name = escape_html(account.official.display_name_km)
        return _reply(chat["id"], f"✅ បានភ្ជាប់ {name}។\nLinked: you will receive the portal's notices here.")
    if command == "/stop":
        services.telegram_unlink(telegram_user_id=sender["id"])
        return _reply(chat["id"], "បានផ្តាច់ការភ្ជាប់។\nUnlinked: no more notices here.")
    return HttpResponse(status=204)


def _bot():
    if not settings.TELEGRAM_BOT_TOKEN:
        return None
    return TelegramClient(settings.TELEGRAM_BOT_TOKEN, base_url=settings.TELEGRAM_API_URL)


def _callback(query: dict):
    bot = _bot()
    query_id = str(query.get("id", ""))
    sender = query.get("from") or {}
    message = query.get("message") or {}
    parsed = unsign_callback(str(query.get("data", "")))
    account = TelegramAccount.objects.select_related("official__user").filter(
        telegram_user_id=sender.get("id")).first() if isinstance(sender.get("id"), int) else None
    outcome, edit = _act(parsed, account)
    if bot is not None:
        try:
            bot.answer_callback_query(query_id, text=outcome[:200], show_alert=not edit)
            if edit and message.get("message_id") and (message.get("chat") or {}).get("id") is not None:
                original = escape_html(message.get("text") or "")
                bot.edit_message_text(message["chat"]["id"], message["message_id"],
                                      f"{original}\n\n<b>{escape_html(outcome)}</b>",
                                      reply_markup={"inline_keyboard": []})
        except TelegramError as exc:
            log.warning("callback %s: %s", query_id, exc)
    return HttpResponse(status=204)


def _act(parsed, account) -> tuple[str, bool]:
    """(text for the user, whether the message should show the outcome)."""
    if parsed is None:
        return "ប៊ូតុងមិនត្រឹមត្រូវ / Invalid button", False
    if account is None or account.official.user is None or not account.official.active:
        return "គណនី Telegram នេះមិនទាន់ភ្ជាប់ / This Telegram account is not linked to the portal", False
    action, order_id = parsed
    order = MissionOrder.objects.filter(pk=order_id).first()
    if order is None:
        return "រកមិនឃើញលិខិតបញ្ជាបេសកកម្មនេះទេ / Order not found", False
    user = account.official.user
    target = "approved" if action == "a" else "rejected"
    if order.state == target:
        return ("បានអនុម័តរួចហើយ / Already approved" if action == "a" else "បានបដិសេធរួចហើយ / Already rejected"), True
    try:
        if action == "a":
            order_approve(order=order, by=user, note="Telegram")
            return "✅ បានអនុម័ត / Approved", True
        order_reject(order=order, by=user, reason=REJECT_REASON)
        return "❌ បានបដិសេធ / Rejected", True
    except TransitionRefused as exc:
        return str(exc.message), False
