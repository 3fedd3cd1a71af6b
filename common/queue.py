"""The one door from a service to the worker.

Tasks import services; services never import tasks.  A tasks module names the jobs it runs (``@job("...")``)
and a service asks for one by name: ``after_commit`` when the transaction that wrote the row commits (the
usual case: nothing leaves the database before the change is durable), ``now`` outside a transaction.  Each
app's ``ready()`` imports its tasks module, so every job is named before the first request or task runs; an
unknown name fails at once, inside the transaction that asked for it.
"""

from collections.abc import Callable

from django.db import transaction

_jobs: dict[str, Callable] = {}


def job(name: str):
    """Register the function that queues ``name`` (it takes the ids the worker needs)."""

    def register(queue_it: Callable) -> Callable:
        _jobs[name] = queue_it
        return queue_it

    return register


def now(name: str, *args) -> None:
    _jobs[name](*args)


def after_commit(name: str, *args) -> None:
    queue_it = _jobs[name]
    transaction.on_commit(lambda: queue_it(*args))
