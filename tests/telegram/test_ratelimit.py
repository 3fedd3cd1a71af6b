import threading
import time
import uuid

import pytest

from groups.ratelimit import Bucket, TokenBucketLimiter, is_group_chat, telegram_buckets
from groups.telegram.client import RetryAfter, TelegramClient
from tests.fakes.fixtures import redis_client, redis_server, telegram_server  # noqa: F401
from tests.fakes.telegram_server import ManualClock

EPS = 2e-6  # Redis TIME has microsecond resolution

# Tests that check a wait or a count run on a ManualClock (the limiter takes the time from it instead of Redis
# TIME): the answers are exact whatever the load on the machine.  Tests with threads on the real clock assert
# only what holds at any speed: the spacing of the grant times Redis recorded.


@pytest.fixture
def limiter(redis_client):
    return TokenBucketLimiter(redis_client, prefix=f"test:{uuid.uuid4().hex}")


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def manual(redis_client, clock):
    return TokenBucketLimiter(redis_client, prefix=f"test:{uuid.uuid4().hex}", clock=clock)


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


def test_first_token_free_then_wait(manual, clock):
    bucket = Bucket("chat:1", 1.0, 1)
    assert manual.acquire([bucket]) == 0
    clock.advance(0.25)
    assert manual.acquire([bucket]) == pytest.approx(0.75, abs=EPS)
    clock.advance(0.75 - 0.001)
    assert manual.acquire([bucket]) == pytest.approx(0.001, abs=EPS)
    clock.advance(0.001)
    assert manual.acquire([bucket]) == 0


def test_the_redis_clock_is_used_without_an_injected_one(limiter):
    bucket = Bucket("chat:redis-time", 0.001, 1)  # one token in 1000 s: the wait cannot run out during the test
    assert limiter.acquire([bucket]) == 0
    decision = limiter.try_acquire([bucket])
    assert not decision.granted and 900 < decision.wait <= 1000
    assert abs(decision.server_time - time.time()) < 3600  # Redis TIME, seconds since the epoch


def test_capacity_is_the_burst(manual, clock):
    bucket = Bucket("burst", 2.0, 3)
    assert [manual.acquire([bucket]) for _ in range(3)] == [0, 0, 0]
    assert manual.acquire([bucket]) == pytest.approx(0.5, abs=EPS)
    clock.advance(1.0)  # two tokens back
    assert [manual.acquire([bucket]) for _ in range(2)] == [0, 0]
    assert manual.acquire([bucket]) > 0


def test_all_or_nothing(manual, clock, redis_client):
    a = Bucket("a", 0.5, 1)
    b = Bucket("b", 0.5, 1)
    assert manual.acquire([a]) == 0
    assert manual.acquire([a, b]) == pytest.approx(2.0, abs=EPS)
    assert not redis_client.exists(manual.key(b)), "a refused acquire writes nothing"
    assert manual.acquire([b]) == 0, "b kept its token"
    assert manual.acquire([b, a]) > 0
    assert manual.acquire([Bucket("c", 0.5, 1)]) == 0


def test_wait_is_the_longest_of_the_empty_buckets(manual):
    slow = Bucket("slow", 0.25, 1)
    fast = Bucket("fast", 10, 1)
    assert manual.acquire([slow, fast]) == 0
    assert manual.acquire([fast, slow]) == pytest.approx(4.0, abs=EPS)


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


def test_acquire_blocking(manual, clock):
    slept = []

    def sleep(seconds):
        slept.append(round(seconds, 6))
        clock.advance(seconds)

    bucket = Bucket("block", 4.0, 1)
    assert manual.acquire_blocking([bucket], timeout=1, sleep=sleep) is True
    assert manual.acquire_blocking([bucket], timeout=1, sleep=sleep) is True
    assert slept == [0.25]  # waited exactly the time to the next token
    slow = Bucket("slow-block", 0.1, 1)
    assert manual.acquire_blocking([slow], timeout=0.1, sleep=sleep) is True
    assert manual.acquire_blocking([slow], timeout=0.3, sleep=sleep) is False
    assert slept == [0.25], "a wait longer than the timeout gives up at once, without sleeping"


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
    assert 1 <= len(grants) <= 4  # 3 s hold at most 4 grants a second apart; a loaded machine may see fewer
    gaps = [b - a for a, b in zip(grants, grants[1:])]
    assert all(gap >= 1.0 - EPS for gap in gaps), gaps


def test_two_workers_waiting_on_one_chat_are_granted_exactly_when_told(redis_server, redis_client, clock):
    """Each refusal says when to come back; coming back then is granted: no worker is starved."""
    prefix = f"test:{uuid.uuid4().hex}"
    other_client = redis_server.client()
    try:
        workers = [TokenBucketLimiter(redis_client, prefix=prefix, clock=clock),
                   TokenBucketLimiter(other_client, prefix=prefix, clock=clock)]
        buckets = telegram_buckets(8, is_group=False)
        grants = []
        for turn in range(6):
            me, other = workers[turn % 2], workers[(turn + 1) % 2]
            assert me.acquire(buckets) == 0
            grants.append((clock(), turn % 2))
            wait = other.acquire(buckets)
            assert wait == pytest.approx(1.0, abs=EPS)
            clock.advance(wait)
        assert [w for _, w in grants] == [0, 1, 0, 1, 0, 1]
        assert [b - a for (a, _), (b, _) in zip(grants, grants[1:])] == pytest.approx([1.0] * 5, abs=EPS)
    finally:
        other_client.close()


def test_group_burst_then_twenty_a_minute(manual, clock):
    buckets = telegram_buckets(-300, is_group=True, per_chat=1000, global_per_second=1000)
    for _ in range(3):
        assert manual.acquire(buckets) == 0
        clock.advance(0.001)  # the per-chat and global buckets (1000/s) are full again
    wait = manual.acquire(buckets)
    assert wait == pytest.approx(60 / 17, abs=0.01)
    times, until = [0.0, 0.001, 0.002], clock() + 180
    start = clock() - 0.003
    while clock() < until:
        wait = manual.acquire(buckets)
        if wait == 0:
            times.append(clock() - start)
        else:
            clock.advance(wait)
    # the burst of 3 and 17 a minute after it: no 60 s holds more than twenty (the 20th falls just after)
    assert max_in_window(times, 60.0) in (19, 20)
    assert len(times) >= 3 + 17 * 3 - 1


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

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    grants.sort()
    assert sorted(chat for _, chat in grants) == chats
    times = [t for t, _ in grants]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 1 / 30 - EPS
    assert times[-1] - times[0] >= 19 / 30 - EPS


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


def test_the_global_limit_lets_thirty_a_second_through(manual, clock):
    grants, chat, until = 0, 0, clock() + 2.0
    while clock() < until:
        wait = manual.acquire(telegram_buckets(chat, is_group=False))
        if wait == 0:
            grants += 1
            chat += 1
        else:
            clock.advance(wait)
    assert grants in (60, 61)  # one at once, then one every 1/30 s (the end of the span may hold one more)


def test_limited_senders_never_trip_the_fake_servers_limits(limiter, telegram_server):
    """Three threads take tokens on the real clock; the sends are judged at the Redis times of their grants.

    The network between a grant and Telegram adds its own delays (on a loaded machine, a late first message can
    arrive just before the next one): what the limiter promises is the spacing of the grants, so the fake server
    judges each send at its grant time, with a stated tolerance of 1 ms.
    """
    chats = [101, -4001, -4002]
    client = TelegramClient(telegram_server.token, base_url=telegram_server.base_url, timeout=5)
    errors, grants, lock = [], [], threading.Lock()
    until = time.monotonic() + 3.2

    def taker(n):
        i = n
        while time.monotonic() < until:
            chat = chats[i % len(chats)]
            i += 1
            while time.monotonic() < until:
                decision = limiter.try_acquire(telegram_buckets(chat))
                if decision.granted:
                    with lock:
                        grants.append((decision.server_time, chat, i))
                    break
                time.sleep(min(decision.wait, max(0.0, until - time.monotonic())))

    threads = [threading.Thread(target=taker, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    clock = telegram_server.clock = ManualClock()
    telegram_server.jitter = 0.001
    for granted_at, chat, i in sorted(grants):
        clock.set(granted_at)
        try:
            client.send_message(chat, f"message {i} to {chat}")
        except RetryAfter as exc:
            errors.append(exc)
    assert telegram_server.rate_limit_events == []
    assert errors == []
    assert telegram_server.rate_limited == 0
    assert telegram_server.early_retries == []
    for chat in chats:
        assert len(telegram_server.messages_to(chat)) >= 1


def test_unlimited_senders_do_trip_the_fake_servers_limits(telegram_server):
    telegram_server.clock = ManualClock()
    client = TelegramClient(telegram_server.token, base_url=telegram_server.base_url, timeout=5)
    client.send_message(-4001, "one")
    with pytest.raises(RetryAfter):
        client.send_message(-4001, "two")
    assert telegram_server.rate_limited == 1
