"""Reads the next objects while the current one is compressed and uploaded.

One thread GETs the members in order and queues their chunks; the archive consumes them in the same order.
The queue holds at most `QUEUED_CHUNKS` chunks of at most 1 MiB, which bounds the memory; without it each
GET's first-byte latency and transfer would stop the compression, and the other way round.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

from .aws import open_object
from .selection import Member, SourceObject

QUEUED_CHUNKS = 16
_OBJECT, _CHUNK, _END, _FAILED = "object", "chunk", "end", "failed"


class _Stopped(Exception):
    """The consumer went away (the archive failed): the reader ends quietly."""


class ReadAhead:
    def __init__(self, s3: Any, bucket: str, members: list[Member]) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._members = members
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=QUEUED_CHUNKS)
        self._stop = threading.Event()
        # A daemon, so that a consumer that died without close() never keeps the process alive.
        self._thread = threading.Thread(target=self._read, name="read-ahead", daemon=True)
        self._thread.start()

    def objects(self) -> Iterator[tuple[Member, SourceObject | None, Iterator[bytes]]]:
        """Each member with what its GET returned (None: it vanished) and its chunks, to consume in turn."""
        for member in self._members:
            _, source = self._take()  # always the member's _OBJECT item: the reader keeps the order
            yield member, source, self._chunks()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def _chunks(self) -> Iterator[bytes]:
        while True:
            kind, value = self._take()
            if kind == _END:
                return
            yield value

    def _take(self) -> tuple[str, Any]:
        kind, value = self._queue.get()
        if kind == _FAILED:
            raise value
        return kind, value

    def _read(self) -> None:
        try:
            for member in self._members:
                body = open_object(self._s3, self._bucket, member.source.key)
                self._put(_OBJECT, body.source if body else None)
                if body:
                    for chunk in body.chunks:
                        self._put(_CHUNK, chunk)
                    self._put(_END, None)
        except _Stopped:
            return
        except BaseException as error:  # handed to the consumer, which raises it
            try:
                self._put(_FAILED, error)
            except _Stopped:
                return

    def _put(self, kind: str, value: Any) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put((kind, value), timeout=0.1)
                return
            except queue.Full:
                continue
        raise _Stopped
