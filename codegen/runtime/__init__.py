"""Modules the generator copies unchanged into ``pylon_client/_generated/``.

Every ``*.py`` here but this one is copied as is, under the DO NOT EDIT header. The ``*.pyi``
stubs are for the type checker only: they stand in for the generated modules the copied ones
import relatively, and are never copied.
"""
