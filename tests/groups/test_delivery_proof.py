"""THE DELIVERY PROOF: real Celery workers, a Redis restart and a killed worker; every notice delivered.

500 notices to 20 chats (10 groups, 10 private chats) go through two prefork
worker processes (2 children each) and beat's outbox sweeper, on PostgreSQL and
a redis-server on a free loopback port.  While they send, the test restarts
Redis (its queue and token buckets are lost: nothing is persisted) and SIGKILLs
one worker with its children, then starts another.  The fake Bot API must
record every notice, none lost.  Every notice is recorded exactly once, except
a notice whose worker died between Telegram's answer and the commit of "sent"
(the Bot API has no idempotency key, so that one is sent again rather than
lost).  The test says exactly which notices may be such a duplicate: those a
pool process of the killed worker was sending when it died, i.e. rows still in
``sending`` right after the kill, each sent on its second attempt, at most one
per pool process.

Nothing here depends on the machine's speed: the waits only bound a run that is
stuck (they are generous), and no assertion is about elapsed time.  Limits are
configured higher than Telegram's to keep the test short (5 messages a second
per chat, 600 a minute per group, 50 a second in all); the fake server does not
judge them here, because the arrival times of requests from other processes
depend on scheduling: the limiter's spacing is proven over the Redis times of
its grants in tests/telegram/test_ratelimit.py and tests/groups/test_delivery.py.
"""

import os
import re
import time
from collections import Counter

import pytest
from django.db import connection

from groups.models import Notice
from tests.fakes.redis_server import find_redis_server
from tests.groups.workers import RestartableRedis, beat, database_url, publish, worker, worker_env

PER_CHAT, PER_GROUP_MINUTE, GLOBAL = 5.0, 600, 50.0
NOTICES, CHATS = 500, 20
MARK = re.compile(r"#N(\d+)#")


def _needs_postgres():
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: the delivery proof must run on PostgreSQL")
        pytest.skip("the delivery proof needs PostgreSQL (worker processes share the test database); "
                    "SQLite has no SKIP LOCKED and one writer at a time — it runs in CI (CI=true, DATABASE_URL)")
    if find_redis_server() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: redis-server is required")
        pytest.skip("redis-server binary not found")


def _chats():
    groups = [-1002000000000 - i for i in range(CHATS // 2)]
    private = [880000 + i for i in range(CHATS - CHATS // 2)]
    return groups + private


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.django_db(transaction=True)
def test_every_notice_is_delivered_exactly_once_through_a_redis_restart_and_a_killed_worker(
        telegram_server, tmp_path):
    _needs_postgres()
    bot = telegram_server
    bot.per_chat_interval = 1.0 / PER_CHAT
    bot.group_max, bot.group_window = PER_GROUP_MINUTE, 60.0
    bot.global_max, bot.global_window = int(GLOBAL), 1.0
    bot.enforce_limits = False

    chats = _chats()
    Notice.objects.bulk_create([
        Notice(transport="telegram", kind="proof", chat_id=chats[i % CHATS], idempotency_key=f"proof:{i}",
               text=f"<b>សេចក្តីជូនដំណឹង</b> #N{i}# &amp; notice {i}")
        for i in range(NOTICES)
    ])
    ids = list(Notice.objects.order_by("id").values_list("pk", flat=True))

    redis = RestartableRedis().start()
    env = worker_env(redis_url=redis.url, db_url=database_url(connection), bot=bot, tmp=tmp_path,
                     per_chat=PER_CHAT, per_group_minute=PER_GROUP_MINUTE, global_rate=GLOBAL,
                     OUTBOX_SWEEP_SECONDS=2, NOTICE_SWEEP_GRACE=4, NOTICE_SENDING_LEASE=20)
    (tmp_path / "var").mkdir()
    processes = []
    in_flight_at_kill: set[str] = set()
    started = time.monotonic()
    try:
        w1, w2 = worker(env, tmp_path, "w1"), worker(env, tmp_path, "w2")
        processes += [w1, w2]
        w1.wait_ready(timeout=180)
        w2.wait_ready(timeout=180)
        sweeper = beat(env, tmp_path)
        processes.append(sweeper)

        publish(ids, redis.url)

        _wait(lambda: len(bot.messages) >= 100, 300, "100 messages")
        redis.restart()
        restarted_at = len(bot.messages)

        _wait(lambda: len(bot.messages) >= 250, 300, "250 messages after the Redis restart")
        w1.kill()
        killed_at = len(bot.messages)
        # The killed pool processes' claims stay in "sending" until the lease runs out; the live worker's
        # sends finish.  Only rows in this snapshot can have been sent by a process that then died.
        in_flight_at_kill = set(Notice.objects.filter(state="sending").values_list("idempotency_key", flat=True))
        w3 = worker(env, tmp_path, "w3")
        processes.append(w3)
        w3.wait_ready(timeout=180)

        _wait(lambda: len(bot.messages) >= NOTICES and not Notice.objects.exclude(state="sent").exists(),
              600, "every notice to be sent")
        # Anything sent twice would show up now: every row is "sent" (no claim is left to take over) and the
        # workers are stopped before counting.
    finally:
        for p in processes:
            p.kill() if p is processes[0] else p.stop()
        redis.stop()

    seen = Counter(int(MARK.search(m.text).group(1)) for m in bot.messages)
    missing = [i for i in range(NOTICES) if seen[i] == 0]
    twice = {i: n for i, n in seen.items() if n > 1}
    elapsed = time.monotonic() - started
    print(f"\nproof: {len(bot.messages)} messages in {elapsed:.1f} s; Redis restarted after {restarted_at}, "
          f"worker killed after {killed_at}; attempts>1: {Notice.objects.filter(attempts__gt=1).count()}; "
          f"sent twice (killed between Telegram's answer and the commit): {sorted(twice)}")
    assert missing == []
    # Telegram has no idempotency key: a worker SIGKILLed after Telegram accepted a message but before the
    # "sent" commit leaves a row that must be sent again.  Exactly those rows may show up twice, and nothing
    # else: each was in flight when the worker was killed, was sent twice (no more), and is a second attempt;
    # there is at most one per pool process of the killed worker.
    duplicated = {f"proof:{i}" for i in twice}
    assert all(n == 2 for n in twice.values()), twice
    assert duplicated <= in_flight_at_kill, (sorted(duplicated), sorted(in_flight_at_kill))
    assert len(twice) <= 2, twice
    assert set(Notice.objects.filter(idempotency_key__in=duplicated).values_list("attempts", flat=True)) <= {2}
    assert Notice.objects.filter(state="sent").count() == NOTICES
    assert len(bot.messages) == NOTICES + len(twice)
    for chat in chats:
        marks = [int(MARK.search(m.text).group(1)) for m in bot.messages_to(chat)]
        assert len(set(marks)) == NOTICES // CHATS
        first_seen = list(dict.fromkeys(marks))
        assert first_seen == sorted(first_seen), (chat, marks)  # each chat got its notices in the order written
        assert len(marks) == NOTICES // CHATS + sum(1 for i in twice if chats[i % CHATS] == chat)
