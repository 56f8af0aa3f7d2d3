#!/usr/bin/env python3
"""Flywheel's Delta maintenance job: OPTIMIZE (compact or Z-order, optional WHERE on partition columns), then
VACUUM (files the table's log no longer references, older than the retention) on ONE Delta table, with delta-rs.

One script, two homes — what is tested locally is what is deployed:
  * AWS Glue: a Glue 5.0 job (`glueetl`, Python 3.11) with `--additional-python-modules deltalake==<pin>`, deployed
    by `flywheel jobs deploy` (see README, "Delta maintenance"). Spark is not used: delta-rs applies exactly the
    retention asked for (Delta-Spark 4.x ignores `RETAIN n HOURS` unless n is 0).
  * the local backend: spawned with the tools venv's python (scripts/ensure-tools.sh delta), same arguments.

Arguments, Glue style (`--KEY value`; '' means unset; unknown keys such as Glue's own --JOB_ID are ignored):
  --TABLE                 delta.`<s3://bucket/prefix/ or /absolute/path>`, or a Glue catalog table `[db.]table`
  --OPTIMIZE_WHERE        `column op 'literal' [AND ...]` on partition columns only ('' = the whole table)
  --ZORDER_BY             comma-separated columns ('' = compaction only)
  --RETAIN_HOURS          VACUUM retention in whole hours
  --RESULT_URI            where the result JSON goes: s3://..., file://... or a path ('' = stdout only)
  --ALLOW_SHORT_RETENTION true lets VACUUM go below the table's minimum (delta.deletedFileRetentionDuration, 168 h
                          by default); otherwise the engine refuses it
  --TARGET_FILE_MB        target size of rewritten files ('' = the table's delta.targetFileSize or delta-rs' default)
  --FLYWHEEL_RUN_TAG      idempotency tag: a retried run does not commit a second OPTIMIZE
  --DATABASE              database for an unqualified catalog name
Exit code 0 on success; 1 on failure, with {"status": "FAILED", "error": ...} written to --RESULT_URI too.
"""
from __future__ import annotations

import json
import os
import re
import sys
import time
from typing import Any

RESULT_VERSION = 1
HISTORY_SCAN = 200  # commits searched for a retried run's OPTIMIZE
OPS = {"=", "!=", "<", "<=", ">", ">="}
CONDITION = re.compile(
    r"^\s*([A-Za-z_][A-Za-z0-9_]{0,127})\s*(<=|>=|<>|!=|=|<|>)\s*(?:'([A-Za-z0-9 _:.\-/]{0,100})'|(-?\d+(?:\.\d+)?))\s*$"
)
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


class JobInputError(Exception):
    """Bad arguments or a table that cannot be maintained as asked: nothing was changed."""


def log(line: str) -> None:
    sys.stderr.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} delta_maintenance: {line}\n")
    sys.stderr.flush()


def parse_args(argv: list[str]) -> dict[str, str]:
    """`--KEY value` and `--KEY=value` pairs, as Glue passes them (getResolvedOptions semantics)."""
    args: dict[str, str] = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        if token.startswith("--"):
            key, eq, value = token[2:].partition("=")
            if not eq:
                has_value = i + 1 < len(argv) and not argv[i + 1].startswith("--")
                value = argv[i + 1] if has_value else ""
                i += 1 if has_value else 0
            args[key] = value
        i += 1
    return args


def parse_where(text: str) -> list[tuple[str, str, str]]:
    """The same restricted grammar as Flywheel's planner, as delta-rs partition filters."""
    if not text.strip():
        return []
    filters = []
    for part in re.split(r"\s+AND\s+", text, flags=re.IGNORECASE):
        match = CONDITION.match(part)
        if not match:
            raise JobInputError(f"unsupported --OPTIMIZE_WHERE {text!r}: only \"column op literal\" joined by AND, got {part.strip()!r}")
        op = "!=" if match.group(2) == "<>" else match.group(2)
        value = match.group(3) if match.group(3) is not None else match.group(4)
        filters.append((match.group(1), op, value))
    return filters


def resolve_table(spec: str, database: str) -> str:
    """delta.`uri` → uri; `[db.]table` → the Glue catalog table's location."""
    quoted = re.fullmatch(r"delta\.`([^`]+)`", spec.strip())
    if quoted:
        uri = quoted.group(1)
        if not (uri.startswith("s3://") or os.path.isabs(uri)):
            raise JobInputError(f"--TABLE {spec!r}: the location must be s3://... or an absolute path")
        return uri
    db, _, name = spec.strip().rpartition(".")
    db = db or database
    if not (IDENT.match(name) and IDENT.match(db or "")):
        raise JobInputError(f"--TABLE {spec!r} is neither delta.`<location>` nor [database.]table (set --DATABASE for a bare name)")
    import boto3  # only on AWS: present in every Glue runtime

    try:
        table = boto3.client("glue").get_table(DatabaseName=db, Name=name)["Table"]
    except Exception as error:  # EntityNotFoundException and friends: say which table
        raise JobInputError(f"catalog table {db}.{name}: {error}") from error
    location = (table.get("StorageDescriptor") or {}).get("Location") or (table.get("Parameters") or {}).get("location")
    if not location:
        raise JobInputError(f"catalog table {db}.{name} has no location")
    return re.sub(r"^s3[an]://", "s3://", location)


def active_files(dt: Any) -> tuple[int, int]:
    """(files, bytes) of the table's current version, from its log."""
    actions = dt.get_add_actions(flatten=False)
    sizes = actions.column("size_bytes").to_pylist() if actions.num_rows else []
    return len(sizes), int(sum(s or 0 for s in sizes))


def commits_since(dt: Any, version: int) -> list[dict[str, Any]]:
    newer = max(0, dt.version() - version)
    return sorted((c for c in dt.history(newer) if c["version"] > version), key=lambda c: c["version"]) if newer else []


def earlier_optimize(dt: Any, run_tag: str) -> dict[str, Any] | None:
    """The OPTIMIZE this run tag already committed (a retried Glue run, a re-attached local run), if any."""
    if not run_tag:
        return None
    for commit in dt.history(HISTORY_SCAN):
        if commit.get("operation") == "OPTIMIZE" and commit.get("flywheel.runTag") == run_tag:
            return commit
    return None


def check_columns(dt: Any, zorder: list[str], filters: list[tuple[str, str, str]]) -> None:
    columns = [f.name for f in dt.schema().fields]
    partitions = list(dt.metadata().partition_columns)
    for column in zorder:
        if column not in columns:
            raise JobInputError(f"ZORDER BY column {column} is not in the table (columns: {', '.join(columns)})")
        if column in partitions:
            raise JobInputError(f"ZORDER BY column {column} is a partition column: Z-order clusters data inside partitions")
    for column, _, _ in filters:
        if column not in partitions:
            raise JobInputError(
                f"OPTIMIZE WHERE column {column} is not a partition column (partition columns: {', '.join(partitions) or 'none'})"
            )


def maintain(args: dict[str, str]) -> dict[str, Any]:
    from deltalake import DeltaTable, WriterProperties
    from deltalake.transaction import CommitProperties

    started = time.monotonic()
    run_tag = args.get("FLYWHEEL_RUN_TAG", "")
    for key in ("TABLE", "RETAIN_HOURS"):
        if not args.get(key, "").strip():
            raise JobInputError(f"--{key} is required")
    if not re.fullmatch(r"\d{1,6}", args["RETAIN_HOURS"].strip()):
        raise JobInputError(f"--RETAIN_HOURS must be a whole number of hours, got {args['RETAIN_HOURS']!r}")
    retain_hours = int(args["RETAIN_HOURS"])
    allow_short = args.get("ALLOW_SHORT_RETENTION", "").strip().lower() == "true"
    zorder = [c.strip() for c in args.get("ZORDER_BY", "").split(",") if c.strip()]
    filters = parse_where(args.get("OPTIMIZE_WHERE", ""))
    target_mb = args.get("TARGET_FILE_MB", "").strip()
    target_size = int(float(target_mb) * 1024 * 1024) if target_mb else None
    uri = resolve_table(args["TABLE"], args.get("DATABASE", ""))

    if not DeltaTable.is_deltatable(uri):
        raise JobInputError(f"{uri} is not a Delta table (no readable _delta_log)")
    dt = DeltaTable(uri)
    check_columns(dt, zorder, filters)
    # The engine enforces the retention floor before anything is written: a dry run plans the VACUUM (and refuses a
    # retention below the table's delta.deletedFileRetentionDuration unless short retention is allowed).
    try:
        dt.vacuum(retention_hours=retain_hours, dry_run=True, enforce_retention_duration=not allow_short, full=True)
    except Exception as error:
        raise JobInputError(f"VACUUM RETAIN {retain_hours} HOURS refused by the engine: {error}") from error

    version_before = dt.version()
    files_before, bytes_before = active_files(dt)
    log(f"{uri}: version {version_before}, {files_before} files, {bytes_before} bytes; where={filters} zorder={zorder}")
    commit = CommitProperties(custom_metadata={"flywheel.runTag": run_tag, "flywheel.job": "delta_maintenance"})
    writer = WriterProperties(compression="SNAPPY")

    t0 = time.monotonic()
    previous = earlier_optimize(dt, run_tag)
    notes: list[str] = []
    if previous:
        metrics = previous.get("operationMetrics") or {}
        notes.append(f"OPTIMIZE already committed as version {previous['version']} by this run tag: not repeated")
    elif zorder:
        metrics = dt.optimize.z_order(
            zorder, partition_filters=filters or None, target_size=target_size, writer_properties=writer, commit_properties=commit
        )
    else:
        metrics = dt.optimize.compact(partition_filters=filters or None, target_size=target_size, writer_properties=writer, commit_properties=commit)
    optimize_ms = int((time.monotonic() - t0) * 1000)
    dt = DeltaTable(uri)
    version_optimized = dt.version()
    files_optimized, bytes_optimized = active_files(dt)
    log(notes[0] if previous else f"OPTIMIZE: {metrics.get('numFilesRemoved', 0)} files → {metrics.get('numFilesAdded', 0)} in {optimize_ms} ms")

    t1 = time.monotonic()
    removed = dt.vacuum(
        retention_hours=retain_hours,
        dry_run=False,
        enforce_retention_duration=not allow_short,
        full=True,
        commit_properties=CommitProperties(custom_metadata={"flywheel.runTag": run_tag, "flywheel.job": "delta_maintenance"}),
    )
    vacuum_ms = int((time.monotonic() - t1) * 1000)
    dt = DeltaTable(uri)
    commits = commits_since(dt, version_before)
    bytes_removed = sum(int((c.get("operationMetrics") or {}).get("sizeOfDataToDelete", 0)) for c in commits if c.get("operation") == "VACUUM START" and c["version"] > version_optimized)
    files_after, bytes_after = active_files(dt)
    log(f"VACUUM RETAIN {retain_hours} HOURS: removed {len(removed)} files ({bytes_removed} bytes) in {vacuum_ms} ms")
    return {
        "resultVersion": RESULT_VERSION,
        "status": "SUCCEEDED",
        "table": uri,
        "runTag": run_tag,
        "retainHours": retain_hours,
        "zorderBy": zorder,
        "where": args.get("OPTIMIZE_WHERE", ""),
        "versionBefore": version_before,
        "versionAfter": dt.version(),
        "versionsCommitted": [{"version": c["version"], "operation": c.get("operation", "?")} for c in commits],
        "filesBefore": files_before,
        "filesAfter": files_after,
        "bytesBefore": bytes_before,
        "bytesAfter": bytes_after,
        # Of this run's OPTIMIZE (0/0 when it was already committed earlier by the same run tag).
        "filesCompacted": 0 if previous else int(metrics.get("numFilesRemoved", 0)),
        "filesWritten": 0 if previous else int(metrics.get("numFilesAdded", 0)),
        "partitionsOptimized": 0 if previous else int(metrics.get("partitionsOptimized", 0)),
        "filesRemoved": len(removed),
        "bytesRemoved": bytes_removed,
        "filesAfterOptimize": files_optimized,
        "bytesAfterOptimize": bytes_optimized,
        "optimizeMs": optimize_ms,
        "vacuumMs": vacuum_ms,
        "durationMs": int((time.monotonic() - started) * 1000),
        "notes": notes,
    }


def write_result(uri: str, result: dict[str, Any]) -> None:
    body = json.dumps(result, indent=2, sort_keys=True)
    print(body, flush=True)
    if not uri:
        return
    if uri.startswith("s3://"):
        import boto3

        bucket, _, key = uri[len("s3://") :].partition("/")
        boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=body.encode(), ContentType="application/json")
        return
    path = uri[len("file://") :] if uri.startswith("file://") else uri
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    temp = f"{path}.{os.getpid()}.tmp"
    with open(temp, "w", encoding="utf-8") as handle:
        handle.write(body)
    os.replace(temp, path)  # atomic: a reader sees no result or the whole result


def main(argv: list[str]) -> dict[str, Any]:
    args = parse_args(argv)
    try:
        result = maintain(args)
    except Exception as error:  # every failure is reported the same way: result JSON + a failed run
        kind = "InvalidInput" if isinstance(error, JobInputError) else type(error).__name__
        log(f"FAILED ({kind}): {error}")
        result = {"resultVersion": RESULT_VERSION, "status": "FAILED", "errorType": kind, "error": str(error), "runTag": args.get("FLYWHEEL_RUN_TAG", "")}
    write_result(args.get("RESULT_URI", "").strip(), result)
    return result


if __name__ == "__main__":
    outcome = main(sys.argv[1:])
    if "--FLYWHEEL_LOCAL_RUN_ID" in sys.argv:
        # Local process: skip interpreter teardown. delta-rs' runtime threads have been seen to abort the process
        # at exit ("terminate called without an active exception"), which would turn a finished run into a crash.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0 if outcome["status"] == "SUCCEEDED" else 1)
    if outcome["status"] != "SUCCEEDED":
        # Glue shows the exception's message as the run's ErrorMessage.
        raise RuntimeError(f"{outcome.get('errorType')}: {outcome.get('error')}")
