import itertools

import pytest

from tests.factories import make_order

_ips = itertools.count(1)


@pytest.fixture
def three_travellers(cast):
    return [cast.official, cast.colleague, cast.office_official]


@pytest.fixture
def issued(cast, three_travellers):
    """An issued order of three travellers over three legs (its first PDF version is pending)."""
    return make_order(cast, state="issued", travellers=three_travellers, legs=3)


@pytest.fixture
def public_client(client):
    """An anonymous client with an address of its own (the verification page is rate-limited by IP)."""
    n = next(_ips)
    client.defaults["REMOTE_ADDR"] = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
    return client


@pytest.fixture
def eager_tasks(settings):
    from portal.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old
