"""The one door from a service to the worker: a named job is queued only when the transaction commits, never
when it rolls back, and an unknown name fails at once (inside the transaction that asked for it)."""

import pytest
from django.db import transaction

from common import queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded():
    calls = []
    queue.job("tests.record")(lambda *args: calls.append(args))
    yield calls
    queue._jobs.pop("tests.record")


def test_the_apps_name_their_jobs():
    assert {"missions.render_document", "groups.send_notice"} <= set(queue._jobs)


def test_a_job_runs_after_commit(recorded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            queue.after_commit("tests.record", 7)
            assert recorded == []
    assert recorded == [(7,)]


def test_a_rolled_back_transaction_queues_nothing(recorded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            queue.after_commit("tests.record", 8)
            raise RuntimeError
    assert callbacks == [] and recorded == []


def test_an_unknown_job_fails_at_once():
    with pytest.raises(KeyError):
        queue.after_commit("tests.no_such_job", 1)
