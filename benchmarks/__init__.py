"""Benchmarks of pylon-client: ``make bench`` runs them all and prints one table.

Each section is its own module with a ``run() -> list[Row]``; :mod:`benchmarks.run` is the entry
point (``python -m benchmarks.run --only calls``). See ``benchmarks/README.md`` for how to read
the table.
"""
