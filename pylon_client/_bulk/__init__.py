"""Bulk account updates and merges, batch by batch.

``batching`` is pure: id checks, chunks of at most 100, narrowing a refused batch, and the
``BulkResult`` bookkeeping. ``runner`` sends the batches through the client and fills the
result id by id.
"""
