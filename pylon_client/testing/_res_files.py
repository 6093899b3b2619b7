"""Uploads: attachments, account files, and the training data of Pylon's AI.

Uploads are ``multipart/form-data`` (read by :mod:`._multipart`), except
``POST /training-data/upload-content``, which takes its text as JSON. The fake keeps what a
client can see again (names, sizes, URLs on the fake file host ``files.pylon.test``), never the
bytes. A ``file_url`` is not fetched: no network in a fake.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from ._multipart import Form, Part, form_of
from ._objects import attachment_url, new_attachment
from ._protocol import JSON, ApiError, Call
from ._res_records import account_by_key
from ._store import Store
from ._validate import Reader, body_object

__all__ = ["ROUTES", "TRAINING_DATA_VISIBILITIES", "upload"]

TRAINING_DATA_VISIBILITIES = ("everyone", "user_only", "ai_agent_only")
MAX_TRAINING_FILES = 10


def upload(store: Store, form: Form, *, described: bool = True) -> JSON:
    """Store the ``file`` part of ``form``, or the file at its ``file_url``; return it.

    One of ``file`` and ``file_url`` is required (``file`` wins when both are sent);
    ``description`` is read when ``described``. The URL returned is on the fake file host.
    """
    r = Reader(form.fields(("file_url", "description") if described else ("file_url",)))
    file_url = r.string("file_url")
    description = r.string("description") or ""
    file = form.first("file")
    if file is None and not file_url:
        r.errors.append("file or file_url is required")
    elif file is None and urlsplit(file_url or "").scheme not in ("http", "https"):
        r.errors.append(f"file_url must be an http(s) URL, got {file_url!r}")
    r.done()
    attachment_id = store.new_id()
    if file is not None:
        name, size = file.filename or "file", file.size
    else:
        name, size = PurePosixPath(urlsplit(file_url or "").path).name or "file", None
    attachment = new_attachment(
        attachment_id,
        name=name,
        url=attachment_url(attachment_id, name),
        description=description,
    )
    store.add(store.attachments, attachment)
    store.attachment_sizes[attachment_id] = size
    return attachment


def create_attachment(store: Store, call: Call) -> JSON:
    """``POST /attachments``: ``file`` or ``file_url``, and a ``description``.

    The answer's ``url`` can be given to ``POST /issues`` (and replies and notes) in
    ``attachment_urls``.
    """
    return {"data": upload(store, form_of(call))}


def upload_account_file(store: Store, call: Call) -> JSON:
    """``POST /accounts/{id}/files`` (id or external id): ``file`` or ``file_url``; a list."""
    account_by_key(store, call.params["id"])
    return {"data": [upload(store, form_of(call), described=False)]}


def _new_training_data(store: Store, name: str, visibility: str | None) -> JSON:
    now = store.now()
    training: JSON = {
        "id": store.new_id(),
        "name": name,
        "type": "file",
        "visibility": visibility or "everyone",
        "exclude_from_kb_search": False,
        "documents": [],
        "created_at": now,
        "updated_at": now,
    }
    store.add(store.training_data, training)
    return training


def create_training_data(store: Store, call: Call) -> JSON:
    """``POST /training-data``: an empty container, ``training_data_name`` and ``visibility``."""
    r = Reader(body_object(call))
    name = r.string("training_data_name")
    visibility = r.string("visibility", choices=TRAINING_DATA_VISIBILITIES)
    r.done()
    return {"data": _new_training_data(store, name or "Training data", visibility)}


def _target(store: Store, r: Reader) -> tuple[str | None, str | None, str | None]:
    """Read where an upload goes: ``training_data_id``, or a new ``training_data_name``."""
    target = r.ref("training_data_id", store.training_data, "training data")
    name = r.string("training_data_name")
    visibility = r.string("visibility", choices=TRAINING_DATA_VISIBILITIES)
    if r.body.get("training_data_id") is None and not name:
        r.errors.append("training_data_id or training_data_name is required")
    return target, name, visibility


def _add_documents(
    store: Store, target: str | None, name: str | None, visibility: str | None, files: list[JSON]
) -> JSON:
    """Add documents to training data (new unless ``target``); an external id replaces."""
    training = (
        store.training_data[target]
        if target
        else _new_training_data(store, name or "Training data", visibility)
    )
    for file in files:
        external_id = file.get("external_id")
        documents = [
            d
            for d in training["documents"]
            if external_id is None or d.get("external_id") != external_id
        ]
        document_id = store.new_id()
        document = {
            "id": document_id,
            "file_name": file["file_name"],
            "file_size": file["file_size"],
            "file_type": file["file_type"],
            "s3_key": f"training-data/{training['id']}/{document_id}/{file['file_name']}",
        }
        if external_id is not None:
            document["external_id"] = external_id
        training["documents"] = [*documents, document]
    training["updated_at"] = store.now()
    return training


def _file_type(name: str, part: Part | None = None) -> str:
    if part is not None and part.filename and part.content_type != "text/plain":
        return part.content_type
    return mimetypes.guess_type(name)[0] or "text/plain"


def upload_training_files(store: Store, call: Call) -> JSON:
    """``POST /training-data/upload``: 1 to 10 ``files`` parts.

    ``file_names`` and ``external_ids``, when sent, pair with the files one to one. The files
    go to ``training_data_id``, or to new training data named ``training_data_name``.
    """
    form = form_of(call)
    r = Reader(form.fields(("training_data_id", "training_data_name", "visibility")))
    target, name, visibility = _target(store, r)
    files = form.all("files")
    names, external_ids = form.texts("file_names"), form.texts("external_ids")
    if not 1 <= len(files) <= MAX_TRAINING_FILES:
        r.errors.append(f"files must hold 1 to {MAX_TRAINING_FILES} files, got {len(files)}")
    for label, given in (("file_names", names), ("external_ids", external_ids)):
        if given and len(given) != len(files):
            r.errors.append(f"{label} must pair with files: {len(given)} for {len(files)} files")
    r.done()
    uploads = []
    for index, part in enumerate(files):
        file_name = names[index] if names else part.filename or f"file-{index + 1}.txt"
        item: JSON = {
            "file_name": file_name,
            "file_size": part.size,
            "file_type": _file_type(file_name, part),
        }
        if external_ids:
            item["external_id"] = external_ids[index]
        uploads.append(item)
    return {"data": _add_documents(store, target, name, visibility, uploads)}


def upload_training_content(store: Store, call: Call) -> JSON:
    """``POST /training-data/upload-content``: text ``content`` as one document."""
    r = Reader(body_object(call))
    content = r.string("content", required=True)
    file_name = r.string("file_name") or "content.txt"
    external_id = r.string("external_id")
    target, name, visibility = _target(store, r)
    r.done()
    item: JSON = {
        "file_name": file_name,
        "file_size": len((content or "").encode()),
        "file_type": _file_type(file_name),
    }
    if external_id:
        item["external_id"] = external_id
    return {"data": _add_documents(store, target, name, visibility, [item])}


def get_training_data(store: Store, call: Call) -> JSON:
    """``GET /training-data/{id}``."""
    return {"data": store.get(store.training_data, "training data", call.params["id"])}


def list_training_data(store: Store, call: Call) -> JSON:
    """``GET /training-data``: every container, not paginated."""
    return {"data": list(store.training_data.values())}


def _query_list(query: Mapping[str, str], name: str) -> list[str]:
    """Every value of a query parameter: repeated keys, each possibly comma-separated."""
    getlist = getattr(query, "getlist", None)
    values = getlist(name) if getlist is not None else [query.get(name)]
    return [item for value in values if value for item in str(value).split(",") if item]


def delete_training_documents(store: Store, call: Call) -> JSON:
    """``DELETE /training-data/{id}/documents?document_ids=...&external_ids=...``.

    Answers ``deleted_count``; ids that match nothing are not an error.
    """
    training = store.get(store.training_data, "training data", call.params["id"])
    ids = set(_query_list(call.query, "document_ids"))
    external_ids = set(_query_list(call.query, "external_ids"))
    if not ids and not external_ids:
        raise ApiError.bad_request("document_ids or external_ids is required")
    kept = [
        d
        for d in training["documents"]
        if d["id"] not in ids and d.get("external_id") not in external_ids
    ]
    deleted = len(training["documents"]) - len(kept)
    training["documents"] = kept
    training["updated_at"] = store.now()
    return {"deleted_count": deleted}


ROUTES = [
    ("POST", "/attachments", create_attachment),
    ("POST", "/accounts/{id}/files", upload_account_file),
    ("GET", "/training-data", list_training_data),
    ("POST", "/training-data", create_training_data),
    ("POST", "/training-data/upload", upload_training_files),
    ("POST", "/training-data/upload-content", upload_training_content),
    ("GET", "/training-data/{id}", get_training_data),
    ("DELETE", "/training-data/{id}/documents", delete_training_documents),
]
