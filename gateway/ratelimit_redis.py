"""Rate-limit buckets in Redis, shared by every gateway process.

One decision is one atomic Lua script (GCRA, as :func:`gateway.ratelimit.gcra`),
so two processes never both take the last request of a bucket. The script
reads Redis's clock, not the gateway's, so processes whose clocks disagree
still share one timeline. Timeouts are short and never retried (only a
connection Redis closed is, once): a dead Redis must cost milliseconds, and
:class:`gateway.ratelimit.FallbackRateLimiter` decides what happens meanwhile.
"""

from __future__ import annotations

import asyncio
import hashlib

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as ConnectionClosed
from redis.exceptions import NoScriptError

from gateway.ratelimit import Decision, decision, interval_us

__all__ = ["GCRA_SCRIPT", "RedisRateLimiter"]

# KEYS[1]: the bucket. ARGV[1]: the interval, ARGV[2]: the burst window (µs).
# Returns {allowed, debt (TAT - now), wait}, in µs. Numbers stay below 2^53, so
# Lua's doubles hold them exactly; '%.0f' keeps SET from writing 1.7e+15.
GCRA_SCRIPT = """
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local allow_at = tat + interval - window
if allow_at > now then
  return {0, tat - now, allow_at - now}
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', new_tat),
           'PX', math.ceil((new_tat - now) / 1000) + 1)
return {1, new_tat - now, 0}
"""
_SCRIPT_SHA = hashlib.sha1(GCRA_SCRIPT.encode()).hexdigest()


class RedisRateLimiter:
    """GCRA buckets under ``prefix`` in the Redis at ``redis_url``.

    Connections belong to the event loop that opened them; a limiter used from a
    new loop (a test client, a restarted server) opens a new pool there.
    """

    def __init__(
        self,
        redis_url: str,
        *,
        prefix: str = "kyodo:ratelimit:",
        timeout_seconds: float = 0.1,
        max_connections: int = 64,
    ) -> None:
        self.redis_url = redis_url
        self.prefix = prefix
        self.timeout_seconds = timeout_seconds
        self.max_connections = max_connections
        self._redis: Redis | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _client(self) -> Redis:
        loop = asyncio.get_running_loop()
        if self._redis is None or self._loop is not loop:
            pool = BlockingConnectionPool.from_url(
                self.redis_url,
                max_connections=self.max_connections,
                timeout=self.timeout_seconds,  # waiting for a free connection
                socket_timeout=self.timeout_seconds,
                socket_connect_timeout=self.timeout_seconds,
                # One retry, for a connection Redis closed (a restart); never for a timeout.
                retry=Retry(NoBackoff(), 1, supported_errors=(ConnectionClosed,)),
                health_check_interval=0,
            )
            self._redis = Redis.from_pool(pool)
            self._loop = loop
        return self._redis

    async def hit(self, key: str, limit_per_minute: int) -> Decision:
        """Count one request against ``key``; raises when Redis does not answer."""
        interval = interval_us(limit_per_minute)
        args = (1, self.prefix + key, interval, interval * limit_per_minute)
        redis = self._client()
        try:
            reply = await redis.evalsha(_SCRIPT_SHA, *args)
        except NoScriptError:  # a restarted or flushed Redis: send the script itself
            reply = await redis.eval(GCRA_SCRIPT, *args)
        allowed, debt, wait = (int(value) for value in reply)
        return decision(bool(allowed), limit_per_minute, debt, wait)

    async def aclose(self) -> None:
        """Close the pool of the current loop."""
        if self._redis is not None:
            redis, self._redis = self._redis, None
            await redis.aclose()
