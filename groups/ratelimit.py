"""Token buckets: in Redis, shared by every worker process and host (``TokenBucketLimiter``), or in this
process alone when there is no Redis (``LocalLimiter``, one worker).

One Lua script checks and takes a token from several buckets atomically: a
send proceeds only when every bucket it touches has a token (per chat, per
group, global), and otherwise nothing is taken.  The script reads the clock
with Redis ``TIME`` so all hosts share one clock (a test may pass its own
``clock`` instead), and every key expires once its bucket would be full again.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Callable, NamedTuple

_ACQUIRE_LUA = """
local now
if ARGV[1] ~= '' then
  now = tonumber(ARGV[1])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local n = #KEYS
local levels = {}
local wait = 0
for i = 1, n do
  local rate = tonumber(ARGV[2 * i])
  local capacity = tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'ts', 'paused_until')
  local tokens = tonumber(state[1])
  local ts = tonumber(state[2])
  local paused_until = tonumber(state[3])
  if paused_until ~= nil and paused_until > now then
    local pause = (paused_until - now) / 1000000
    if pause > wait then wait = pause end
  end
  if tokens == nil or ts == nil then
    tokens = capacity
    ts = now
  end
  local elapsed = (now - ts) / 1000000
  if elapsed < 0 then elapsed = 0 end
  tokens = math.min(capacity, tokens + elapsed * rate)
  levels[i] = tokens
  if tokens < 1 then
    local need = (1 - tokens) / rate
    if need > wait then wait = need end
  end
end
if wait > 0 then
  return {'0', string.format('%.6f', wait), string.format('%.0f', now)}
end
for i = 1, n do
  local rate = tonumber(ARGV[2 * i])
  local capacity = tonumber(ARGV[2 * i + 1])
  redis.call('HSET', KEYS[i], 'tokens', string.format('%.17g', levels[i] - 1), 'ts', string.format('%.0f', now))
  redis.call('PEXPIRE', KEYS[i], math.ceil(capacity / rate * 1000) + 1000)
end
return {'1', '0', string.format('%.0f', now)}
"""

# Pause buckets (Telegram answered 429 with retry_after): no token is given from them before the end.
_PAUSE_LUA = """
local now
if ARGV[1] ~= '' then
  now = tonumber(ARGV[1])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local until_us = now + tonumber(ARGV[2]) * 1000000
for i = 1, #KEYS do
  local current = tonumber(redis.call('HGET', KEYS[i], 'paused_until'))
  if current == nil or current < until_us then
    redis.call('HSET', KEYS[i], 'paused_until', string.format('%.0f', until_us))
  end
  local keep = math.ceil((until_us - now) / 1000) + 1000
  if redis.call('PTTL', KEYS[i]) < keep then
    redis.call('PEXPIRE', KEYS[i], keep)
  end
end
return string.format('%.0f', until_us)
"""


@dataclass(frozen=True)
class Bucket:
    """``capacity`` tokens at most, refilled at ``rate_per_second``."""

    key: str
    rate_per_second: float
    capacity: float = 1.0

    def __post_init__(self):
        if not self.key:
            raise ValueError("a bucket needs a key")
        if not (self.rate_per_second > 0) or math.isinf(self.rate_per_second):
            raise ValueError("rate_per_second must be a positive finite number")
        if not (self.capacity >= 1) or math.isinf(self.capacity):
            raise ValueError("capacity must be at least 1")


class Decision(NamedTuple):
    granted: bool
    wait: float  # seconds before trying again; 0.0 when granted
    server_time: float  # Redis clock (seconds since the epoch) when decided


class TokenBucketLimiter:
    """Atomic multi-bucket token taking on Redis, under ``prefix``.

    ``clock`` (seconds, for tests) replaces Redis ``TIME`` and ``time.monotonic``:
    with a clock that moves only when told to, every decision is exact.
    """

    def __init__(self, redis_client, prefix: str = "ratelimit", clock: Callable[[], float] | None = None):
        self.redis = redis_client
        self.prefix = prefix.rstrip(":")
        self.clock = clock
        self._script = redis_client.register_script(_ACQUIRE_LUA)
        self._pause_script = redis_client.register_script(_PAUSE_LUA)

    def key(self, bucket: Bucket) -> str:
        return f"{self.prefix}:{bucket.key}"

    def try_acquire(self, buckets: list[Bucket]) -> Decision:
        """Take one token from every bucket, or from none; say how long to wait."""
        if not buckets:
            raise ValueError("at least one bucket is required")
        keys = [self.key(b) for b in buckets]
        if len(set(keys)) != len(keys):
            raise ValueError("the same bucket is listed twice")
        args: list[str] = ["" if self.clock is None else "%.0f" % (self.clock() * 1_000_000)]
        for b in buckets:
            args.append(repr(float(b.rate_per_second)))
            args.append(repr(float(b.capacity)))
        granted, wait, now = self._script(keys=keys, args=args)
        granted = _text(granted) == "1"
        return Decision(granted, 0.0 if granted else float(_text(wait)), int(_text(now)) / 1_000_000)

    def acquire(self, buckets: list[Bucket]) -> float:
        """0 when a token was taken from all buckets, else the seconds to wait."""
        decision = self.try_acquire(buckets)
        return 0.0 if decision.granted else max(decision.wait, 1e-6)

    def acquire_blocking(
        self,
        buckets: list[Bucket],
        timeout: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> bool:
        """Wait until a token is taken from all buckets; False if ``timeout`` runs out first."""
        monotonic = self.clock or time.monotonic
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            wait = self.acquire(buckets)
            if wait == 0:
                return True
            if deadline is not None:
                remaining = deadline - monotonic()
                if remaining < wait:
                    return False
            sleep(wait)

    def pause(self, buckets: list[Bucket], seconds: float) -> None:
        """Give no token from ``buckets`` for ``seconds`` (for every process sharing this Redis)."""
        if buckets and seconds > 0:
            now = "" if self.clock is None else "%.0f" % (self.clock() * 1_000_000)
            self._pause_script(keys=[self.key(b) for b in buckets], args=[now, repr(float(seconds))])

    def note_flood(self, chat_id, window: float = 1.0) -> int:
        """Record a 429 for ``chat_id``; the number of distinct chats answered 429 within ``window`` seconds."""
        key = f"{self.prefix}:floods"
        now = self.clock() if self.clock is not None else time.time()
        pipe = self.redis.pipeline()
        pipe.zadd(key, {str(chat_id): now})
        pipe.zremrangebyscore(key, "-inf", now - window)
        pipe.zcard(key)
        pipe.pexpire(key, int(window * 1000) + 1000)
        return int(pipe.execute()[2])

    def reset(self, buckets: list[Bucket]) -> None:
        """Forget the state of ``buckets`` (they start full again)."""
        if buckets:
            self.redis.delete(*[self.key(b) for b in buckets])


class LocalLimiter:
    """Token buckets in this process only: used when REDIS_URL is empty (one worker).

    ``clock`` (seconds; ``time.monotonic`` unless given) is read once per decision.
    """

    def __init__(self, clock=None):
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}
        self._paused: dict[str, float] = {}
        self.clock = clock or time.monotonic

    def note_flood(self, chat_id, window: float = 1.0) -> int:
        with self._lock:
            now = self.clock()
            floods = self.__dict__.setdefault("_floods", {})
            floods[str(chat_id)] = now
            for chat in [c for c, t in floods.items() if t <= now - window]:
                del floods[chat]
            return len(floods)

    def pause(self, buckets: list[Bucket], seconds: float) -> None:
        with self._lock:
            until = self.clock() + seconds
            for b in buckets:
                self._paused[b.key] = max(until, self._paused.get(b.key, until))

    def acquire(self, buckets: list[Bucket]) -> float:
        with self._lock:
            now = self.clock()
            levels, wait = [], 0.0
            for b in buckets:
                paused = self._paused.get(b.key, now) - now
                if paused > 0:
                    wait = max(wait, paused)
                tokens, ts = self._state.get(b.key, (b.capacity, now))
                tokens = min(b.capacity, tokens + max(0.0, now - ts) * b.rate_per_second)
                levels.append(tokens)
                if tokens < 1:
                    wait = max(wait, (1 - tokens) / b.rate_per_second)
            if wait > 0:
                return wait
            for b, tokens in zip(buckets, levels):
                self._state[b.key] = (tokens - 1, now)
            return 0.0


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def is_group_chat(chat_id: int | str) -> bool:
    """Group, supergroup and channel ids are negative; private chats positive."""
    try:
        return int(chat_id) < 0
    except (TypeError, ValueError):
        return str(chat_id).startswith("@")


def telegram_buckets(
    chat_id: int | str,
    is_group: bool | None = None,
    per_chat: float = 1.0,
    per_group_per_minute: int = 20,
    global_per_second: float = 30,
    group_burst: int = 3,
) -> list[Bucket]:
    """The buckets one message to ``chat_id`` must draw from.

    * ``chat:<id>`` - ``per_chat`` messages a second, no burst (capacity 1),
      so two messages to one chat are at least ``1/per_chat`` seconds apart.
    * ``group:<id>`` (group chats only) - capacity ``group_burst`` refilled
      at ``(per_group_per_minute - group_burst)`` a minute, so that no
      60-second window holds more than ``per_group_per_minute`` messages.
    * ``global`` - ``global_per_second`` a second, capacity 1.
    """
    if is_group is None:
        is_group = is_group_chat(chat_id)
    buckets = [Bucket(f"chat:{chat_id}", per_chat, 1)]
    if is_group:
        burst = max(1, min(int(group_burst), int(per_group_per_minute) - 1))
        refill = (per_group_per_minute - burst) / 60.0
        if refill <= 0:
            raise ValueError("per_group_per_minute must exceed group_burst")
        buckets.append(Bucket(f"group:{chat_id}", refill, burst))
    buckets.append(Bucket("global", global_per_second, 1))
    return buckets
