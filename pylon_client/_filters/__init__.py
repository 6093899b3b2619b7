"""Search filters, checked before sending.

``rules`` holds what Pylon accepts in a filter tree (operators, depth, values); ``builder``
the ``F("status").equals(...)`` expressions that build one.
"""
