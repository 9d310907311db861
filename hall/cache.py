"""The shared cache (Redis) as the portal uses it: a cache, never a store. Page caches, cached sessions,
the navbar's counts and the rate limits all have the database or a fresh render behind them, so a Redis
that is restarting or out of reach must cost a slower page, not a 500: every read is a miss, every write
is dropped (and logged once a minute per process), and each call gives up within a fraction of a second."""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("tongban.cache")

OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)
# The client's own limits (OPTIONS may override): an unreachable server is given up on at once.
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.2, "socket_timeout": 0.5, "retry_on_timeout": False}


class KeptClientRedisCacheClient(RedisCacheClient):
    """Django's client makes a new redis.Redis for every call, and each one builds its table of some 170
    response callbacks (about 600 Python calls, more than the rest of a cached page's request): one per
    connection pool is kept instead (a redis.Redis takes a pooled connection per command, so it is safe
    to share)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ForgivingRedisCache(RedisCache):
    _last_warning = 0.0

    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient

    def _outage(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - ForgivingRedisCache._last_warning > 60:
            ForgivingRedisCache._last_warning = now
            logger.warning("shared cache unavailable (%s: %s); serving without it", operation, error)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except OUTAGE as error:
            self._outage("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except OUTAGE as error:
            self._outage("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except OUTAGE as error:
            self._outage("has_key", error)
            return False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except OUTAGE as error:
            self._outage("add", error)
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except OUTAGE as error:
            self._outage("set", error)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except OUTAGE as error:
            self._outage("set_many", error)
            return list(data)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except OUTAGE as error:
            self._outage("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except OUTAGE as error:
            self._outage("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except OUTAGE as error:
            self._outage("delete_many", error)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except OUTAGE as error:
            self._outage("incr", error)
            raise ValueError(f"Key '{key}' not found (shared cache unavailable)") from error

    def clear(self):
        try:
            return super().clear()
        except OUTAGE as error:
            self._outage("clear", error)
            return False
