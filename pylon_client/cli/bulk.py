"""``pylon accounts update-many`` and ``pylon accounts merge``: bulk work from an ids file.

The ids file has one id per line; blank lines and lines starting with ``#`` are skipped, and
repeated ids are sent once. Batches that fail do not stop the others; at the end a report
names each failed batch with its error and request id, the failed ids are written (one per
line) to ``--failed-ids-file`` (default ``IDS_FILE.failed``) so that a re-run can take that
file as ``--ids-file``, and the exit status is 1. ``--dry-run`` checks everything, prints the
batches that would be sent, and sends nothing (it needs no token).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import CliError, make_client, plural, read_ids_file, run_async, write_lines
from .parser import CliParser, Commands, at_least

if TYPE_CHECKING:
    from .._bulk.batching import BulkResult

__all__ = ["add_parsers", "merge_accounts", "update_many"]


def add_parsers(
    commands: Commands,
    common: CliParser,
) -> None:
    """Add ``update-many`` and ``merge`` to the ``accounts`` group's ``commands``."""
    # A CliParser, so that its required --ids-file is listed under "required options".
    shared = CliParser(add_help=False)
    shared.add_argument("--ids-file", required=True, metavar="FILE", help="one id per line")
    shared.add_argument(
        "--batch-size", type=int, default=100, metavar="N", help="ids per request (1..100, 100)"
    )
    shared.add_argument("--dry-run", action="store_true", help="show the batches, send nothing")
    shared.add_argument(
        "--failed-ids-file", metavar="PATH", help="where failed ids go (default FILE.failed)"
    )

    p = commands.add_parser(
        "update-many", parents=[common, shared], help="change many accounts (PATCH /accounts)"
    )
    tags = p.add_mutually_exclusive_group()
    tags.add_argument("--add-tag", action="append", metavar="T", help="add tag T (repeatable)")
    tags.add_argument("--remove-tag", action="append", metavar="T", help="remove tag T")
    tags.add_argument("--set-tags", metavar="T,...", help="replace all tags ('' clears them)")
    p.add_argument("--owner-id", help="new owner (a user id)")
    p.add_argument("--account-type", choices=("customer", "partner"), help="new account type")
    disabled = p.add_mutually_exclusive_group()
    disabled.add_argument(
        "--disable", dest="is_disabled", action="store_const", const=True, help="disable them"
    )
    disabled.add_argument(
        "--enable", dest="is_disabled", action="store_const", const=False, help="enable them"
    )
    p.add_argument(
        "--concurrency",
        type=at_least(1),
        default=2,
        metavar="N",
        help="batches at once (default 2)",
    )
    p.set_defaults(run=update_many)

    p = commands.add_parser(
        "merge",
        parents=[common, shared],
        help="merge accounts into one (POST /accounts/merge; cannot be undone)",
    )
    p.add_argument("--into", required=True, metavar="ID", help="the account that remains")
    p.set_defaults(run=merge_accounts)


def _fields(args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if args.add_tag:
        fields.update(tags=list(args.add_tag), tags_apply_mode="append_only")
    elif args.remove_tag:
        fields.update(tags=list(args.remove_tag), tags_apply_mode="remove_only")
    elif args.set_tags is not None:
        tags = [t.strip() for t in args.set_tags.split(",") if t.strip()]
        fields.update(tags=tags, tags_apply_mode="replace")
    if args.owner_id is not None:
        fields["owner_id"] = args.owner_id
    if args.account_type is not None:
        fields["account_type"] = args.account_type
    if args.is_disabled is not None:
        fields["is_disabled"] = args.is_disabled
    if not fields:
        raise CliError(
            "nothing to update: give --add-tag, --remove-tag, --set-tags, --owner-id, "
            "--account-type, --disable or --enable"
        )
    return fields


def _plan(args: argparse.Namespace, target: str | None = None) -> tuple[list[str], list[list[str]]]:
    """Read, check and batch the ids exactly as the client will (pure: nothing is sent)."""
    from .._bulk.batching import check_merge, chunk, normalize_ids

    raw = read_ids_file(args.ids_file)
    ids = normalize_ids(raw, name="ids")
    if target is not None:
        check_merge(target, ids)
    batches = chunk(ids, args.batch_size)
    if len(ids) < len(raw):
        repeats = len(raw) - len(ids)
        verb = "is" if repeats == 1 else "are"
        print(
            f"{plural(repeats, 'repeated id')} in {args.ids_file} {verb} sent once", file=sys.stderr
        )
    return ids, batches


def _dry_run(what: str, body: dict[str, Any], ids: list[str], batches: list[list[str]]) -> int:
    times = "once" if len(batches) == 1 else f"{len(batches):,} times"
    print(f"dry run: {what} would be sent {times} for {plural(len(ids), 'id')}; nothing sent")
    print(f"body (besides the ids): {json.dumps(body, ensure_ascii=False)}")
    for number, batch in enumerate(batches, 1):
        print(f"  batch {number}: {plural(len(batch), 'id')}, {batch[0]} .. {batch[-1]}")
    return 0


def update_many(args: argparse.Namespace) -> int:
    """Run ``pylon accounts update-many``."""
    fields = _fields(args)
    ids, batches = _plan(args)
    if args.dry_run:
        return _dry_run("PATCH /accounts", fields, ids, batches)
    client = make_client(args)

    async def job() -> BulkResult:
        async with client:
            return await client.accounts.update_many(
                ids, batch_size=args.batch_size, concurrency=args.concurrency, **fields
            )

    result = run_async(args, job)
    return _report(args, "updated", result, batches)


def merge_accounts(args: argparse.Namespace) -> int:
    """Run ``pylon accounts merge``."""
    ids, batches = _plan(args, target=args.into)
    if args.dry_run:
        return _dry_run("POST /accounts/merge", {"merge_into_account_id": args.into}, ids, batches)
    client = make_client(args)

    async def job() -> BulkResult:
        async with client:
            return await client.accounts.merge(
                merge_into_account_id=args.into, merge_account_ids=ids, batch_size=args.batch_size
            )

    result = run_async(args, job)
    return _report(args, f"merged into {args.into}", result, batches)


def _report(
    args: argparse.Namespace, verb: str, result: BulkResult, batches: list[list[str]]
) -> int:
    """Print what happened; write the failed and refused ids; fail the command if any failed.

    Ids Pylon refused each on its own (``result.refused``: an update batch is narrowed down to
    them) go to ``FILE.refused`` with Pylon's reason, since sending them again would be refused
    again; the other failed ids (whole batches: a 5xx, a timeout, a merge) go to
    ``FILE.failed``, for a re-run.
    """
    failed_path = Path(args.failed_ids_file or args.ids_file + ".failed")
    refused_path = failed_path.with_name(failed_path.name.removesuffix(".failed") + ".refused")
    refused = [i for batch in batches for i in batch if i in result.refused]
    failed_batches = [
        (number, [i for i in batch if i in result.failed and i not in result.refused])
        for number, batch in enumerate(batches, 1)
    ]
    failed_batches = [(number, ids) for number, ids in failed_batches if ids]
    print(
        f"{verb}: {len(result.succeeded):,} of {plural(result.total, 'account')} in "
        f"{plural(len(batches), 'batch')}; failed: {plural(len(result.failed), 'account')}"
        + (f" ({len(refused):,} refused by Pylon)" if refused else "")
    )
    if not result.failed:
        return 0
    for number, ids in failed_batches:
        error = result.failed[ids[0]]
        request_id = getattr(error, "request_id", None) or "none"
        print(
            f"  batch {number} ({plural(len(ids), 'id')}, request id {request_id}): "
            f"{_one_line(error)}"
        )
    for account_id in refused[:_LISTED]:
        error = result.refused[account_id]
        print(
            f"  refused {account_id} (request id {error.request_id or 'none'}): {_one_line(error)}"
        )
    if len(refused) > _LISTED:
        print(f"  ... and {len(refused) - _LISTED:,} more refused (all in {refused_path})")
    if args.command == "merge":
        print("  a failed merge batch may have merged some of its accounts: check before retrying")
    parts = []
    if failed_batches:
        failed_ids = [i for _, ids in failed_batches for i in ids]
        write_lines(
            failed_path,
            failed_ids,
            header=[f"ids that failed in `pylon accounts {args.command}`; re-run with --ids-file"],
        )
        parts.append(f"{len(failed_ids):,} failed (re-run with --ids-file {failed_path})")
    if refused:
        write_lines(
            refused_path,
            [f"{i}\t{_one_line(result.refused[i])}" for i in refused],
            header=["ids Pylon refused, each on its own, with its reason: fix or drop them"],
        )
        parts.append(f"{len(refused):,} refused by Pylon (ids and reasons in {refused_path})")
    raise CliError(f"of {plural(result.total, 'account')}, " + "; ".join(parts))


_LISTED = 20  # refused ids printed; the file holds them all


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())
