"""The transport stack under ``AsyncPylon``: what happens to a request on its way out.

From the outside in: ``retry`` (``RetryTransport``: what is retried, and when), the rate
limiter's transport (in ``_ratelimit``), ``auth`` (tokens that rotate), ``tracing``
(OpenTelemetry spans), ``http`` (the innermost transport, raw responses, log lines). ``accel``
is the optional msgspec decoder of successful responses.
"""
