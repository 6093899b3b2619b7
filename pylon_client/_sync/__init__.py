"""The sync client, ``Pylon``: the async client's methods run to completion for the caller.

``client`` (``Pylon``), ``helpers`` (the sync export, change feeds and bulk helpers) and
``portal`` (how calls from any thread reach the event loop the calling thread drives, and the
sync paginator) and ``loop`` (running that loop, unwinding a cancelled call, shutting it
down).
"""
