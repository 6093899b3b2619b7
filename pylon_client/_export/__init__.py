"""Reading a lot of Pylon data: issues over any time range, and changes since a watermark.

``windows`` is pure: a range cut into windows Pylon accepts, and the arithmetic on them.
``issues`` runs the export over those windows (``pylon.issues.list(start_time=..., ...)``),
``changes`` the change feeds (``pylon.issues.changes(since=...)``).
"""
