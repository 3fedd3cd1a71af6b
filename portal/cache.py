"""A Redis cache that never takes a page down: when Redis is away, reads miss and writes are dropped.

Nothing in the portal keeps state only in the cache (sessions, locks and the outbox live in
the database), so a cache outage costs speed, not correctness.  Each failure is logged once
per call with its class name only.
"""

import logging

import redis
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)


def _redis_errors():
    return (redis.exceptions.RedisError, OSError)


class SafeRedisCache(RedisCache):
    def _safe(self, name, default, *args, **kwargs):
        try:
            return getattr(super(), name)(*args, **kwargs)
        except _redis_errors() as exc:
            log.warning("cache %s failed: %s", name, exc.__class__.__name__)
            return default

    def add(self, *args, **kwargs):
        return self._safe("add", False, *args, **kwargs)

    def get(self, key, default=None, version=None):
        return self._safe("get", default, key, default, version)

    def set(self, *args, **kwargs):
        return self._safe("set", None, *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._safe("touch", False, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._safe("delete", False, *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._safe("get_many", {}, *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._safe("has_key", False, *args, **kwargs)

    def incr(self, *args, **kwargs):
        # None, as a missing Redis key answers: callers such as django-ratelimit treat it as "unknown".
        return self._safe("incr", None, *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._safe("set_many", [], *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._safe("delete_many", None, *args, **kwargs)

    def clear(self, *args, **kwargs):
        return self._safe("clear", None, *args, **kwargs)
