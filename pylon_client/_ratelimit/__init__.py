"""Client-side pacing of requests, per Pylon endpoint, in one process or across many.

``transport`` (the ``RateLimitBackend`` interface and the transport that paces every request
through it), ``local`` (``RateLimiter``, in process), ``redis`` (``RedisRateLimiter``, one
budget for every process and host, with its ``lua`` scripts), ``fallback`` (the books kept
in process while Redis is away), ``scripting`` (the ``ScriptClient`` protocol: all the limiter
asks of a Redis client), ``clients`` (which client a limiter talks through), ``redis_client``
(``BuiltinRedisClient``, the small RESP2 client on anyio sockets, the default, so it runs
under trio too) and the adapters of clients of your own, ``redis_py_adapter``
(``redis.asyncio``) and ``coredis_adapter`` (``coredis``), each importing its library only
when used.
"""
