#!/usr/bin/env python3
"""Writes a sample Delta table for the local lake with delta-rs (called by src/backends/local/deltaSeed.ts).

Reads a JSON plan on stdin:
  {"table": "/abs/path", "partitionBy": ["snapshot_dt"],
   "steps": [{"append": ["/staged/a.parquet"]},
             {"compact": {"column": "snapshot_dt", "value": "2026-09-01", "files": ["/staged/a.parquet", ...],
                          "removedAtMs": 1790000000000}}]}
- append: one commit (WRITE, mode append) per step, the way daily deliveries land;
- compact: an earlier OPTIMIZE of one partition, *dated in the past*: the partition's rows are written as one file
  and committed with the engine's transaction API (add with dataChange=false, removes whose deletionTimestamp is
  `removedAtMs`). Nothing else about the log is written by hand: delta-rs writes every commit.
Prints {"version", "files"} on stdout.
"""
from __future__ import annotations

import json
import os
import sys
import time
import uuid

from arro3.core import Table
from arro3.io import read_parquet, write_parquet
from deltalake import DeltaTable, WriterProperties, write_deltalake
from deltalake.transaction import AddAction, CommitProperties, RemoveAction


def read_files(files: list[str]) -> Table:
    batches = []
    for file in files:
        batches.extend(read_parquet(file).read_all().to_batches())
    return Table.from_batches(batches)


def compact(uri: str, step: dict, partition_by: list[str]) -> None:
    dt = DeltaTable(uri)
    column, value = step["column"], step["value"]
    actions = dt.get_add_actions(flatten=True)
    paths = actions.column("path").to_pylist()
    sizes = actions.column("size_bytes").to_pylist()
    values = actions.column(f"partition.{column}").to_pylist()
    old = [(p, s) for p, s, v in zip(paths, sizes, values) if v == value]
    rows = read_files(step["files"])
    rows = rows.remove_column(rows.column_names.index(column))
    relative = f"{column}={value}/part-00000-{uuid.uuid4()}-c000.snappy.parquet"
    target = os.path.join(uri, relative)
    write_parquet(rows, target, compression="snappy")
    add = AddAction(
        path=relative,
        size=os.path.getsize(target),
        partition_values={column: value},
        modification_time=int(time.time() * 1000),
        data_change=False,
        stats=json.dumps({"numRecords": rows.num_rows}),
    )
    removes = [
        RemoveAction(path=p, data_change=False, deletion_timestamp=int(step["removedAtMs"]), size=s, partition_values={column: value})
        for p, s in old
    ]
    dt.create_write_transaction(
        [add, *removes],
        mode="append",
        schema=dt.schema(),
        partition_by=partition_by,
        commit_properties=CommitProperties(custom_metadata={"flywheel.seed": f"earlier OPTIMIZE of {column}={value}, dated {step['removedAtMs']}"}),
    )


def main() -> None:
    plan = json.load(sys.stdin)
    uri, partition_by = plan["table"], plan["partitionBy"]
    writer = WriterProperties(compression="SNAPPY")
    for step in plan["steps"]:
        if "append" in step:
            write_deltalake(uri, read_files(step["append"]), mode="append", partition_by=partition_by, writer_properties=writer)
        else:
            compact(uri, step["compact"], partition_by)
    dt = DeltaTable(uri)
    print(json.dumps({"version": dt.version(), "files": len(dt.file_uris())}), flush=True)


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # see jobs/delta_maintenance.py: skip delta-rs' runtime teardown
