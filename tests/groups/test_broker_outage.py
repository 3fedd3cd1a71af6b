"""A broker outage does not end a worker.

kombu 5.7's Redis transport used to raise ``AttributeError: 'NoneType' object has
no attribute 'hostname'`` from ``restore_unacked`` when a channel closed after its
connection was released (what happens when Redis goes away), and Celery ended
the worker on it.  portal/kombu_patches.py guards that path; these tests show the
failure without the guard, that nothing is lost with it, and a real worker
living through a stopped and restarted redis-server while it sends notices.
"""

import os

import pytest
from django.db import connection
from kombu import Connection, Exchange, Queue
from kombu.transport import redis as kombu_redis

from groups.models import Notice
from portal.kombu_patches import guard_restore_unacked
from tests.fakes.fixtures import redis_server, telegram_server  # noqa: F401
from tests.fakes.redis_server import find_redis_server
from tests.groups.workers import RestartableRedis, beat, database_url, publish, worker, worker_env


def _channel_closed_after_its_connection(url, **transport_options):
    """Deliver one message without acking it, release the connection, then close the channel."""
    conn = Connection(url, transport_options=transport_options)
    channel = conn.channel()
    queue = Queue("outage-q", Exchange("outage-q"), "outage-q", channel=channel)
    queue.declare()
    conn.Producer(channel).publish({"n": 1}, exchange="outage-q", routing_key="outage-q", serializer="json")
    received = []
    conn.Consumer(queue, callbacks=[lambda body, message: received.append(body)], channel=channel).consume()
    conn.drain_events(timeout=5)
    assert received == [{"n": 1}] and len(channel.qos._delivered) == 1
    conn._do_close_transport()  # the connection is released first, as when the broker went away
    return channel


def test_without_the_guard_closing_the_channel_raises_the_error_that_ended_workers(redis_server, monkeypatch):
    guard_restore_unacked()
    monkeypatch.setattr(kombu_redis.QoS, "restore_unacked", kombu_redis.QoS.restore_unacked.__wrapped__)
    monkeypatch.setattr(kombu_redis.Channel, "_connparams", kombu_redis.Channel._connparams.__wrapped__)
    redis_server.flushall()
    channel = _channel_closed_after_its_connection(redis_server.url)
    with pytest.raises(AttributeError, match="hostname"):
        channel.close()


def test_with_the_guard_the_channel_closes_and_the_message_comes_back_from_redis(redis_server, caplog):
    assert guard_restore_unacked() is True
    assert guard_restore_unacked() is True  # installing twice wraps once
    assert kombu_redis.QoS.restore_unacked.portal_guarded
    assert not getattr(kombu_redis.QoS.restore_unacked.__wrapped__, "portal_guarded", False)
    redis_server.flushall()
    channel = _channel_closed_after_its_connection(redis_server.url)
    channel.close()  # no exception
    assert "restoring 1 unacknowledged message(s)" in caplog.text
    client = redis_server.client()
    assert client.hlen("unacked") == 1 and client.llen("outage-q") == 0
    # the next worker restores it once the visibility timeout has passed (0 here): nothing is lost
    with Connection(redis_server.url, transport_options={"visibility_timeout": 0}) as conn:
        conn.channel().qos.restore_visible()
    assert client.llen("outage-q") == 1 and client.hlen("unacked") == 0
    client.close()


def test_a_released_connection_is_a_connection_error_that_celery_recovers_from(redis_server):
    """Any use of a released connection's parameters raises an error Celery reconnects after, not one it dies of."""
    guard_restore_unacked()
    conn = Connection(redis_server.url)
    channel = conn.channel()
    transport_errors = conn.connection_errors
    conn._do_close_transport()
    with pytest.raises(transport_errors):
        channel._connparams()


def _needs_postgres_and_redis():
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: the broker outage test must run on PostgreSQL")
        pytest.skip("worker processes share the test database: needs PostgreSQL (runs in CI)")
    if find_redis_server() is None:
        pytest.skip("redis-server binary not found")


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.django_db(transaction=True)
def test_a_worker_lives_through_redis_stopped_for_ten_seconds_under_load(telegram_server, tmp_path):
    """Two workers send 200 notices; Redis is stopped for 10 s midway (its data lost) and started again.

    Both workers must still be running afterwards, none may log an unrecoverable error, and every notice is
    delivered (the outbox sweeper re-queues what the lost queue held).  The waits only bound a stuck run.
    """
    _needs_postgres_and_redis()
    import time

    bot = telegram_server
    bot.enforce_limits = False  # limits are proven over grant times elsewhere; here only the outage matters
    chats = [-1003000000000 - i for i in range(5)] + [890000 + i for i in range(5)]
    total = 200
    Notice.objects.bulk_create([
        Notice(transport="telegram", kind="outage", chat_id=chats[i % len(chats)], idempotency_key=f"outage:{i}",
               text=f"outage {i}")
        for i in range(total)
    ])
    ids = list(Notice.objects.order_by("id").values_list("pk", flat=True))
    redis = RestartableRedis().start()
    env = worker_env(redis_url=redis.url, db_url=database_url(connection), bot=bot, tmp=tmp_path, per_chat=5.0,
                     per_group_minute=600, global_rate=50.0, OUTBOX_SWEEP_SECONDS=2, NOTICE_SWEEP_GRACE=4,
                     NOTICE_SENDING_LEASE=20)
    (tmp_path / "var").mkdir()
    processes = []

    def wait(predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.2)

    try:
        w1, w2 = worker(env, tmp_path, "o1"), worker(env, tmp_path, "o2")
        processes += [w1, w2]
        w1.wait_ready(timeout=180)
        w2.wait_ready(timeout=180)
        processes.append(beat(env, tmp_path))
        publish(ids, redis.url)
        wait(lambda: len(bot.messages) >= 40, 300, "40 messages")
        redis.restart(down_for=10)
        wait(lambda: not Notice.objects.exclude(state="sent").exists(), 600, "every notice to be sent")
        alive = [p.process.poll() is None for p in (w1, w2)]
        logs = w1.log() + w2.log()
        dead = "\n".join(f"{p.log_path.name} exited {p.process.returncode}:\n{p.log()[-6000:]}"
                         for p in (w1, w2) if p.process.poll() is not None)
    finally:
        for p in processes:
            p.stop()
        redis.stop()
    assert alive == [True, True], dead
    assert "Unrecoverable error" not in logs
    sent = {m.text for m in bot.messages}
    assert sent == {f"outage {i}" for i in range(total)}
