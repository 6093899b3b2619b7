"""The async client, ``AsyncPylon``, and what it hands the generated resources.

``async_client`` (``AsyncPylon``: options, the transport stack, copies), ``config`` (the token,
base URL and region, the decoder), ``core`` (``ClientCore``, the ``Core`` of
``_generated._contract``), ``pagination`` (``AsyncPaginator``), ``raw`` (``RawResponse``),
``helpers`` (hand-written methods beside or instead of generated ones) and ``fanout``
(structured fan-out that raises the first failure as itself).
"""
