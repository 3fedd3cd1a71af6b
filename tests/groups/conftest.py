import functools
import time

import pytest

from tests.fakes.fixtures import redis_client, redis_server, telegram_server  # noqa: F401


@pytest.fixture
def groups(cast):
    """The leadership group (moderated by the Cabinet) and unit A's group, each with a Telegram channel."""
    from groups import services
    from tests.factories import make_official

    cast.chief_of_cabinet = make_official("CABINET", "chief-of-cabinet", username="chief_cabinet")
    lead = services.group_create(kind="leadership", name_km="ក្រុមថ្នាក់ដឹកនាំ", name_en="Leadership group",
                                 moderators=[cast.chief_of_cabinet])
    unit = services.group_create(kind="unit", unit=cast.unit_a, name_km="ក្រុមនាយកដ្ឋាន A", name_en="Department A")
    lead_tg = services.channel_create(group=lead, kind="telegram", chat_id=-1001000000001)
    unit_tg = services.channel_create(group=unit, kind="telegram", chat_id=-1001000000002)

    class G:
        pass

    g = G()
    g.lead, g.unit, g.lead_tg, g.unit_tg = lead, unit, lead_tg, unit_tg
    return g


class GrantClock:
    """The clock of the portal's limiter, and of the fake Bot API judging the sends.

    Every decision of the limiter reads it once; the fake server reads the time of the last decision, which in a
    test sending from one thread is the grant of the send being judged.  The fake server thus sees the sends
    exactly as far apart as the limiter spaced them, whatever the load on the machine delays between the grant
    and the request's arrival (the limits themselves are proven over recorded grant times in
    tests/telegram/test_ratelimit.py).
    """

    def __init__(self):
        self.offset = 0.0
        self.last = time.monotonic()

    def tick(self) -> float:
        self.last = time.monotonic() + self.offset
        return self.last

    def advance(self, seconds: float) -> None:
        """Time passes for the limiter and the fake server alike (a flood wait, a pause), without sleeping."""
        self.offset += seconds
        self.last += seconds

    def __call__(self) -> float:
        return self.last


@pytest.fixture
def bot(settings, telegram_server, monkeypatch):
    """Point the portal at the fake Bot API on loopback; limits loose enough not to slow tests."""
    from groups import delivery

    clock = GrantClock()
    monkeypatch.setattr(delivery, "LocalLimiter", functools.partial(delivery.LocalLimiter, clock=clock.tick))
    telegram_server.clock = clock

    settings.TELEGRAM_BOT_TOKEN = telegram_server.token
    settings.TELEGRAM_API_URL = telegram_server.base_url
    settings.TELEGRAM_BOT_USERNAME = telegram_server.bot_username
    settings.TELEGRAM_WEBHOOK_SECRET = "test-secret_0123456789"
    settings.REDIS_URL = ""
    # Faster than Telegram's limits to keep tests quick; the fake enforces the same values.
    settings.TELEGRAM_RATE_PER_CHAT = 10.0
    settings.TELEGRAM_RATE_PER_GROUP_MINUTE = 600
    settings.TELEGRAM_RATE_GLOBAL = 100.0
    telegram_server.per_chat_interval = 0.1
    telegram_server.jitter = 0.02
    telegram_server.group_max = 600
    telegram_server.global_max = 100
    delivery.reset_limiter()
    yield telegram_server
    delivery.reset_limiter()


@pytest.fixture
def linked(cast):
    """``linked(official, chat_id)`` links an official's Telegram account (private chat = user id)."""
    from groups.models import TelegramAccount

    def _link(official, chat_id=None):
        chat_id = chat_id or 500_000 + official.pk
        TelegramAccount.objects.update_or_create(
            official=official, defaults={"telegram_user_id": chat_id, "chat_id": chat_id}
        )
        return chat_id

    return _link


def make_notice(chat_id=None, channel=None, text="សួស្តី <b>hello</b>", key=None, **extra):
    from groups.models import Notice

    key = key or f"test:{Notice.objects.count()}:{chat_id}:{channel.pk if channel else ''}"
    return Notice.objects.create(
        transport="telegram", kind="test", text=text, chat_id=chat_id if channel is None else channel.chat_id,
        channel=channel, idempotency_key=key, **extra
    )
