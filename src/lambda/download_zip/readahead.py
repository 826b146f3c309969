"""Reads the next objects while the current one is compressed and uploaded.

One thread queues the members' chunks in order; the archive consumes them in the same order. The queue
holds at most `QUEUED_CHUNKS` chunks of at most 1 MiB; without it each GET's transfer would stop the
compression, and the other way round. Small objects (up to `SMALL_OBJECT` bytes) are also fetched whole by
`PREFETCHED` GETs running ahead, so that S3's first-byte latency, which dominates a small object's GET, is
paid concurrently rather than once per object in turn. A large object is opened only at its turn: its
connection would otherwise sit unread while the objects before it are archived.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .aws import CHUNK_SIZE, ObjectBody, open_object
from .selection import Member, SourceObject

QUEUED_CHUNKS = 16
PREFETCHED = 4
SMALL_OBJECT = 4 * 1024**2
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
            with ThreadPoolExecutor(max_workers=PREFETCHED, thread_name_prefix="prefetch") as pool:
                ahead: deque[Callable[[], ObjectBody | None]] = deque()
                for member in self._members:
                    ahead.append(self._schedule(pool, member))
                    if len(ahead) > PREFETCHED:
                        self._stream(ahead.popleft()())
                while ahead:
                    self._stream(ahead.popleft()())
        except _Stopped:
            return
        except BaseException as error:  # handed to the consumer, which raises it
            try:
                self._put(_FAILED, error)
            except _Stopped:
                return

    def _schedule(self, pool: ThreadPoolExecutor, member: Member) -> Callable[[], ObjectBody | None]:
        """What gives the member's body at its turn: a GET already running for a small object, or one to
        start then for a large one."""
        if member.source.size <= SMALL_OBJECT:
            return pool.submit(self._fetch_whole, member.source.key).result
        return functools.partial(open_object, self._s3, self._bucket, member.source.key)

    def _fetch_whole(self, key: str) -> ObjectBody | None:
        body = open_object(self._s3, self._bucket, key)
        if body is None or body.source.size > SMALL_OBJECT:  # grown since the listing: streamed after all
            return body
        data = memoryview(b"".join(body.chunks))
        # In queue-sized slices, so that the queue's bound in chunks stays a bound in bytes.
        return ObjectBody(body.source, (data[i : i + CHUNK_SIZE] for i in range(0, len(data), CHUNK_SIZE)))

    def _stream(self, body: ObjectBody | None) -> None:
        self._put(_OBJECT, body.source if body else None)
        if body:
            for chunk in body.chunks:
                self._put(_CHUNK, chunk)
            self._put(_END, None)

    def _put(self, kind: str, value: Any) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put((kind, value), timeout=0.1)
                return
            except queue.Full:
                continue
        raise _Stopped
