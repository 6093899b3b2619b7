"""The sync client, ``Pylon``: the async client's methods run to completion for the caller.

``client`` (``Pylon``), ``helpers`` (the sync export, change feeds and bulk helpers) and
``portal`` (the event loop the calling thread drives, and the sync paginator).
"""
