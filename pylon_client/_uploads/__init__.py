"""Uploads sent as ``multipart/form-data``.

``parts`` turns the arguments into text and file parts (bytes, paths, file objects);
``stream`` is the body that reads its files as it is sent, never whole into memory.
"""
