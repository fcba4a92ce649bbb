"""Read and derive batches, for big files in a forked helper process.

Deriving canonical fields is pure Python and holds the GIL, so a thread cannot overlap it
with the database writes; a second process can. For a big file the helper process reads
the file and derives batch k+1 while the importing process writes batch k (on two cores
that is the difference between the sum and the maximum of the two). The helper never
touches the database: it only reads the file and sends finished batches (and any
:class:`~uncounted.errors.UserError`) back through a bounded queue, so memory stays bounded
and an error anywhere still rolls the whole import back in the importing process.

Only where ``fork`` exists (Linux, macOS): the helper inherits the opened file and the
caches without pickling them. Small files are derived in-process: a process costs more than
it saves there.
"""

from __future__ import annotations

import gc
import multiprocessing
import queue as queue_module
import threading
from collections.abc import Iterator
from itertools import islice

from uncounted.errors import UserError
from uncounted.records.canonical import Batch, Canonicaliser
from uncounted.records.readers import TableFile

PARALLEL_MIN_BYTES = 8 * 1024 * 1024
QUEUE_BATCHES = 2  # batches waiting to be written: bounds the memory
_FORKING = threading.Lock()  # gc.freeze is process-wide: one fork at a time


def chunks(rows: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(rows, size)):
        yield chunk


def derived_batches(
    table: TableFile, canon: Canonicaliser, batch_rows: int, parallel: bool | None = None
) -> Iterator[tuple[Batch, int]]:
    """``(batch, position read so far)`` for the whole file, in order."""
    if parallel is None:
        parallel = table.format == "csv" and table.size >= PARALLEL_MIN_BYTES
    if not parallel or "fork" not in multiprocessing.get_all_start_methods():
        for rows in chunks(table.rows(), batch_rows):
            yield canon.batch(rows), table.position()
        return
    yield from _forked(table, canon, batch_rows)


def _derive(table: TableFile, canon: Canonicaliser, batch_rows: int, out) -> None:
    """The helper process: read, derive, send; an error is sent, not raised."""
    try:
        for rows in chunks(table.rows(), batch_rows):
            out.put(("batch", canon.batch(rows), table.position()))
        out.put(("end", None, table.position()))
    except UserError as exc:
        out.put(("error", str(exc), 0))
    except BaseException as exc:  # a bug: report it rather than hang the importer
        out.put(("crash", f"{type(exc).__name__}: {exc}", 0))


def _forked(table: TableFile, canon: Canonicaliser, batch_rows: int):
    context = multiprocessing.get_context("fork")
    out = context.Queue(maxsize=QUEUE_BATCHES)
    helper = context.Process(target=_derive, args=(table, canon, batch_rows, out), daemon=True)
    _start_without_inherited_garbage(helper)
    try:
        while True:
            try:
                kind, payload, position = out.get(timeout=5)
            except queue_module.Empty:
                if not helper.is_alive():
                    raise RuntimeError("the helper process reading the file died") from None
                continue
            if kind == "end":
                return
            if kind == "error":
                raise UserError(payload)
            if kind == "crash":
                raise RuntimeError(f"the helper process reading the file failed: {payload}")
            yield payload, position
    finally:
        if helper.is_alive():
            helper.terminate()
        helper.join()
        out.close()


def _start_without_inherited_garbage(helper: multiprocessing.process.BaseProcess) -> None:
    """Fork ``helper`` so that it never finalises the objects it inherits.

    A long-lived process (the web server, a test run) may hold garbage from libraries with
    threads of their own (DuckDB connections after a link run). Collected in the child,
    where those threads do not exist, their finalisers crash it (seen: a segmentation
    fault in the helper's first garbage collection). Frozen objects are never collected,
    and the freeze is inherited; the parent unfreezes its own at once. The freeze is
    process-wide, so two imports forking at once (two uploads to the web server) take turns.
    """
    with _FORKING:
        gc.collect()
        gc.freeze()
        try:
            helper.start()
        finally:
            gc.unfreeze()
