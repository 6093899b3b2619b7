"""Reading a lot of Pylon data: issues over any time range, and changes since a watermark.

``windows`` is pure: a range cut into windows Pylon accepts, and the arithmetic on them.
``issues`` runs the export over those windows (``pylon.issues.list(start_time=..., ...)``),
``changes`` the change feeds (``pylon.issues.changes(since=...)``).
"""

from datetime import timedelta

DEFAULT_WINDOW = timedelta(days=30)
"""The longest window a change feed searches at once. Here rather than in ``changes``, so
that the default of ``window`` costs the helpers' signatures no import of the feeds."""
