"""Bulk account updates and merges, batch by batch.

``batching`` is pure: id checks, chunks of at most 100, narrowing a refused batch, and the
``BulkResult`` bookkeeping. ``runner`` sends the batches through the client and fills the
result id by id.
"""

MAX_BATCH = 100
"""The most ids one ``PATCH /accounts`` or ``POST /accounts/merge`` request accepts.

Here rather than in ``batching``, so that the default of ``batch_size`` costs the helpers'
signatures no import of the batching itself (``pylon.tasks`` needs none of it)."""
