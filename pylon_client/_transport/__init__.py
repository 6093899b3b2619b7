"""The transport stack under ``AsyncPylon``: what happens to a request on its way out.

From the outside in: ``retry`` (``RetryTransport``: what is retried, and when), the rate
limiter's transport (in ``_ratelimit``), ``auth`` (tokens that rotate), ``tracing``
(OpenTelemetry spans), ``http`` (the innermost transport, raw responses, log lines). What
the layers tell one another about a request travels in one typed object, ``context``'s
``RequestContext``; ``body`` reads a successful answer's body once, into it (the retry layer
only asks whether it was usable), and ``accel`` is the optional msgspec decoder it uses.
"""
