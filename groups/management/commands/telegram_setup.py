"""Check the bot token with getMe and register the webhook with its secret."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from groups.telegram.client import TelegramClient, TelegramError


class Command(BaseCommand):
    help = "Check TELEGRAM_BOT_TOKEN (getMe) and set the webhook to SITE_URL with TELEGRAM_WEBHOOK_SECRET."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="Public base URL of the portal (default: SITE_URL).")
        parser.add_argument("--drop-pending", action="store_true", help="Drop updates Telegram kept while down.")

    def handle(self, *args, **options):
        if not settings.TELEGRAM_BOT_TOKEN:
            raise CommandError("TELEGRAM_BOT_TOKEN is empty: notices stay in the outbox until it is set.")
        if not settings.TELEGRAM_WEBHOOK_SECRET:
            raise CommandError("TELEGRAM_WEBHOOK_SECRET is empty: set a random secret (A-Z, a-z, 0-9, _ and -).")
        client = TelegramClient(settings.TELEGRAM_BOT_TOKEN, base_url=settings.TELEGRAM_API_URL)
        try:
            me = client.get_me()
        except TelegramError as exc:
            raise CommandError(f"getMe failed: {exc}") from None
        username = me.get("username", "")
        self.stdout.write(f"Bot: @{username} (id {me.get('id')})")
        if settings.TELEGRAM_BOT_USERNAME and settings.TELEGRAM_BOT_USERNAME != username:
            self.stderr.write(f"Warning: TELEGRAM_BOT_USERNAME is {settings.TELEGRAM_BOT_USERNAME!r}, the bot is {username!r}")
        base = (options.get("url") or settings.SITE_URL).rstrip("/")
        url = base + reverse("groups:telegram_webhook")
        try:
            client.set_webhook(url, settings.TELEGRAM_WEBHOOK_SECRET, allowed_updates=["message", "callback_query"],
                               drop_pending_updates=options["drop_pending"])
        except TelegramError as exc:
            raise CommandError(f"setWebhook failed: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Webhook set: {url}"))
