"""Pytest fixtures for the loopback fakes.

Import them into a test module (or a conftest) to use them:

    from tests.fakes.fixtures import telegram_server, redis_server  # noqa: F401

* ``telegram_server`` - a started ``FakeTelegramServer`` (function scope, fresh
  state for every test); ``telegram_server.token`` / ``.base_url`` configure a
  client.
* ``redis_server`` - a started ``RedisServer`` (session scope; one process per
  importing module); use ``.url`` or ``.client()``.  Without a redis-server
  binary the test is skipped, or fails when ``CI=true``; a binary that will
  not start fails the test.
* ``redis_client`` - a ``redis.Redis`` on ``redis_server`` with the data flushed
  before the test.
"""

from __future__ import annotations

import os

import pytest

from tests.fakes.redis_server import RedisServer, RedisServerUnavailable, find_redis_server
from tests.fakes.telegram_server import FakeTelegramServer


@pytest.fixture
def telegram_server():
    with FakeTelegramServer() as server:
        yield server


def _missing_redis(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: redis-server is required)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_server():
    if find_redis_server() is None:
        _missing_redis("redis-server binary not found")
    server = RedisServer()
    try:
        server.start()
    except RedisServerUnavailable as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_client(redis_server):
    client = redis_server.client()
    client.flushdb()
    try:
        yield client
    finally:
        client.close()
