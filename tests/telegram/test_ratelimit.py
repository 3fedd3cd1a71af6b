import threading
import time
import uuid

import pytest

from groups.ratelimit import Bucket, TokenBucketLimiter, is_group_chat, telegram_buckets
from groups.telegram.client import RetryAfter, TelegramClient
from tests.fakes.fixtures import redis_client, redis_server, telegram_server  # noqa: F401

EPS = 2e-6  # Redis TIME has microsecond resolution


@pytest.fixture
def limiter(redis_client):
    return TokenBucketLimiter(redis_client, prefix=f"test:{uuid.uuid4().hex}")


def grant_times(limiter, buckets, until, out, lock):
    """Acquire repeatedly until ``until`` (monotonic); collect Redis times of grants."""
    while time.monotonic() < until:
        decision = limiter.try_acquire(buckets)
        if decision.granted:
            with lock:
                out.append(decision.server_time)
        else:
            time.sleep(min(decision.wait, max(0.0, until - time.monotonic())))


def max_in_window(times, window):
    times = sorted(times)
    best = start = 0
    for end in range(len(times)):
        while times[end] - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_bucket_validation():
    with pytest.raises(ValueError):
        Bucket("k", 0, 1)
    with pytest.raises(ValueError):
        Bucket("k", 1, 0.5)
    with pytest.raises(ValueError):
        Bucket("", 1, 1)


def test_first_token_free_then_wait(limiter):
    bucket = Bucket("chat:1", 1.0, 1)
    assert limiter.acquire([bucket]) == 0
    wait = limiter.acquire([bucket])
    assert 0.9 < wait <= 1.0
    time.sleep(wait)
    assert limiter.acquire([bucket]) == 0


def test_capacity_is_the_burst(limiter):
    bucket = Bucket("burst", 2.0, 3)
    assert [limiter.acquire([bucket]) for _ in range(3)] == [0, 0, 0]
    wait = limiter.acquire([bucket])
    assert 0.4 < wait <= 0.5


def test_all_or_nothing(limiter, redis_client):
    a = Bucket("a", 0.5, 1)
    b = Bucket("b", 0.5, 1)
    assert limiter.acquire([a]) == 0
    wait = limiter.acquire([a, b])
    assert 1.9 < wait <= 2.0
    assert not redis_client.exists(limiter.key(b)), "a refused acquire writes nothing"
    assert limiter.acquire([b]) == 0, "b kept its token"
    assert limiter.acquire([b, a]) > 0
    assert limiter.acquire([Bucket("c", 0.5, 1)]) == 0


def test_wait_is_the_longest_of_the_empty_buckets(limiter):
    slow = Bucket("slow", 0.25, 1)
    fast = Bucket("fast", 10, 1)
    assert limiter.acquire([slow, fast]) == 0
    assert 3.9 < limiter.acquire([fast, slow]) <= 4.0


def test_keys_expire(limiter, redis_client):
    bucket = Bucket("exp", 0.5, 2)
    limiter.acquire([bucket])
    ttl = redis_client.pttl(limiter.key(bucket))
    assert 0 < ttl <= 5000


def test_state_is_shared_between_connections(redis_server, limiter):
    other_client = redis_server.client()
    try:
        other = TokenBucketLimiter(other_client, prefix=limiter.prefix)
        bucket = Bucket("shared", 1.0, 1)
        assert limiter.acquire([bucket]) == 0
        assert other.acquire([bucket]) > 0
    finally:
        other_client.close()


def test_duplicate_and_empty_bucket_lists_are_refused(limiter):
    with pytest.raises(ValueError):
        limiter.acquire([Bucket("x", 1, 1), Bucket("x", 2, 1)])
    with pytest.raises(ValueError):
        limiter.acquire([])


def test_acquire_blocking(limiter):
    bucket = Bucket("block", 4.0, 1)
    assert limiter.acquire_blocking([bucket], timeout=1) is True
    started = time.monotonic()
    assert limiter.acquire_blocking([bucket], timeout=1) is True
    assert 0.2 <= time.monotonic() - started < 0.6
    slow = Bucket("slow-block", 0.1, 1)
    assert limiter.acquire_blocking([slow], timeout=0.1) is True
    started = time.monotonic()
    assert limiter.acquire_blocking([slow], timeout=0.3) is False
    assert time.monotonic() - started < 0.1


def test_telegram_buckets():
    private = telegram_buckets(42, is_group=False)
    assert [(b.key, b.rate_per_second, b.capacity) for b in private] == [
        ("chat:42", 1.0, 1),
        ("global", 30, 1),
    ]
    group = telegram_buckets(-1001, is_group=True)
    keys = [b.key for b in group]
    assert keys == ["chat:-1001", "group:-1001", "global"]
    g = group[1]
    assert g.capacity == 3
    # burst plus a minute of refill stays within 20 a minute
    assert g.capacity + g.rate_per_second * 60 == pytest.approx(20)
    assert [b.key for b in telegram_buckets(-5)] == ["chat:-5", "group:-5", "global"]
    assert is_group_chat(-5) and is_group_chat("@channel") and not is_group_chat(5)


def test_two_threads_one_chat_never_exceed_one_a_second(limiter):
    buckets = telegram_buckets(7, is_group=False)
    grants, lock = [], threading.Lock()
    until = time.monotonic() + 3.0
    threads = [threading.Thread(target=grant_times, args=(limiter, buckets, until, grants, lock)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    grants.sort()
    assert 3 <= len(grants) <= 4
    gaps = [b - a for a, b in zip(grants, grants[1:])]
    assert min(gaps) >= 1.0 - EPS, gaps
    assert max(gaps) < 1.5, "waiting workers are not starved"


def test_group_burst_then_twenty_a_minute(limiter):
    buckets = telegram_buckets(-300, is_group=True, per_chat=1000, global_per_second=1000)
    for _ in range(3):
        assert limiter.acquire_blocking(buckets, timeout=0.1)
    wait = limiter.acquire(buckets)
    assert wait == pytest.approx(60 / 17, abs=0.05)


def test_burst_to_twenty_chats_at_the_global_limit(limiter):
    chats = list(range(1000, 1020))
    grants, lock = [], threading.Lock()
    remaining = list(chats)

    def worker():
        while True:
            with lock:
                if not remaining:
                    return
                chat = remaining.pop()
            buckets = telegram_buckets(chat, is_group=False)
            while True:
                decision = limiter.try_acquire(buckets)
                if decision.granted:
                    with lock:
                        grants.append((decision.server_time, chat))
                    break
                time.sleep(decision.wait)

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    grants.sort()
    assert sorted(chat for _, chat in grants) == chats
    times = [t for t, _ in grants]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 1 / 30 - EPS
    assert times[-1] - times[0] >= 19 / 30 - EPS
    assert elapsed < 2.0


def test_global_limit_over_two_seconds(limiter):
    grants, lock = [], threading.Lock()
    until = time.monotonic() + 2.0
    counter = iter(range(10_000))

    def worker():
        while time.monotonic() < until:
            with lock:
                chat = next(counter)
            buckets = telegram_buckets(chat, is_group=False)
            while time.monotonic() < until:
                decision = limiter.try_acquire(buckets)
                if decision.granted:
                    with lock:
                        grants.append(decision.server_time)
                    break
                time.sleep(decision.wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert max_in_window(grants, 1.0 - 1e-4) <= 30
    assert len(grants) >= 45, "the limiter lets about 30 a second through"


def test_limited_senders_never_trip_the_fake_servers_limits(limiter, telegram_server):
    chats = [101, -4001, -4002]
    client = TelegramClient(telegram_server.token, base_url=telegram_server.base_url, timeout=5)
    errors = []
    until = time.monotonic() + 3.2

    def sender(n):
        i = n
        while time.monotonic() < until:
            chat = chats[i % len(chats)]
            i += 1
            if not limiter.acquire_blocking(telegram_buckets(chat), timeout=until - time.monotonic()):
                return
            try:
                client.send_message(chat, f"message {i} to {chat}")
            except RetryAfter as exc:
                errors.append(exc)

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert telegram_server.rate_limit_events == []
    assert errors == []
    assert telegram_server.rate_limited == 0
    assert telegram_server.early_retries == []
    for chat in chats:
        assert len(telegram_server.messages_to(chat)) >= 3


def test_unlimited_senders_do_trip_the_fake_servers_limits(telegram_server):
    client = TelegramClient(telegram_server.token, base_url=telegram_server.base_url, timeout=5)
    client.send_message(-4001, "one")
    with pytest.raises(RetryAfter):
        client.send_message(-4001, "two")
    assert telegram_server.rate_limited == 1
