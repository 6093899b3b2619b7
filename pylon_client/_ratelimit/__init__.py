"""Client-side pacing of requests, per Pylon endpoint, in one process or across many.

``transport`` (the ``RateLimitBackend`` interface and the transport that paces every request
through it), ``local`` (``RateLimiter``, in process), ``redis`` (``RedisRateLimiter``, one
budget for every process and host, with its ``lua`` scripts), ``fallback`` (the books kept
in process while Redis is away) and ``redis_client`` (the small RESP2 client on anyio
sockets it speaks through, so it runs under trio too).
"""
