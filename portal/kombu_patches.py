"""A worker must survive a broker outage: a guard around kombu's Redis ``restore_unacked``.

kombu 5.7's Redis transport (``kombu.transport.redis.QoS.restore_unacked``)
builds a new connection pool to put unacknowledged messages back when a channel
closes.  When the broker went away the channel is closed *after* its connection
was released: ``Transport.client`` is already ``None``, ``Channel._connparams``
raises ``AttributeError: 'NoneType' object has no attribute 'hostname'`` and
Celery treats that as an unrecoverable error - the worker exits.  A connection
error while Redis is down ends the same way.

Nothing is lost by not restoring at that moment: every message delivered to the
worker is also kept in Redis's ``unacked`` hash, from which ``restore_visible``
brings it back once the visibility timeout has passed, and the portal's own
sweepers (the notice outbox, the document renders) re-queue their work much
sooner.  So the guard logs the messages it could not restore and lets the
channel close; Celery's consumer then reconnects as it does for any broker
outage.
"""

from __future__ import annotations

import logging

log = logging.getLogger("portal.broker")


def guard_restore_unacked() -> bool:
    """Install the guard once (idempotent); False when kombu's Redis transport is not importable."""
    try:
        import redis
        from kombu.transport import redis as kombu_redis
    except ImportError:  # pragma: no cover  (redis is a pinned dependency)
        return False
    original = kombu_redis.QoS.restore_unacked
    if getattr(original, "portal_guarded", False):
        return True
    gone = (AttributeError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)

    def restore_unacked(self, client=None):
        try:
            return original(self, client)
        except gone as exc:
            pending = len(self._delivered)
            log.warning(
                "broker connection gone while restoring %d unacknowledged message(s) (%s: %s); they stay in "
                "Redis's unacked index and come back after the visibility timeout, the outbox sweeper sooner",
                pending, type(exc).__name__, exc,
            )
            self._delivered.clear()
            return None

    restore_unacked.portal_guarded = True
    restore_unacked.__wrapped__ = original
    kombu_redis.QoS.restore_unacked = restore_unacked
    _guard_connparams(kombu_redis, redis)
    return True


def _guard_connparams(kombu_redis, redis) -> None:
    """Any other use of a released connection's parameters: a connection error (Celery reconnects), not a crash."""
    original = kombu_redis.Channel._connparams
    if getattr(original, "portal_guarded", False):
        return

    def _connparams(self, *args, **kwargs):
        transport = self.connection
        if transport is None or getattr(transport, "client", None) is None:
            raise redis.exceptions.ConnectionError("the broker connection was released (broker outage)")
        return original(self, *args, **kwargs)

    _connparams.portal_guarded = True
    _connparams.__wrapped__ = original
    kombu_redis.Channel._connparams = _connparams
