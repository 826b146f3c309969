"""Which sources stage through Spark's executors, and the driver's read-ahead stream."""

from __future__ import annotations

import threading

import pytest
from datamart_load import staging
from datamart_load.engine import spark_for_large_sources
from datamart_load.storage import SourceFile


class FakeSource:
    def __init__(self, *files: SourceFile):
        self.files = files
        self.total_bytes = sum(file.size for file in files)


def chooser(reads_s3: bool):
    return spark_for_large_sources(lambda: "spark", min_bytes=100, reads_s3=reads_s3)


def test_a_source_below_the_threshold_streams_through_the_driver_with_no_spark():
    assert chooser(reads_s3=True)(FakeSource(SourceFile("s3://b/a", 60), SourceFile("s3://b/b", 39))) is None


def test_a_source_at_the_threshold_stages_through_spark():
    assert (
        chooser(reads_s3=True)(FakeSource(SourceFile("s3://b/a", 60), SourceFile("s3://b/b", 40))) == "spark"
    )


def test_local_spark_leaves_a_large_s3_source_to_the_driver():
    assert chooser(reads_s3=False)(FakeSource(SourceFile("s3://b/a", 500))) is None
    assert chooser(reads_s3=False)(FakeSource(SourceFile("/data/a", 500))) == "spark"


def test_the_read_ahead_yields_every_chunk_in_order_and_raises_the_producers_error():
    def chunks():
        yield from (b"a", b"b", b"c")
        raise ValueError("unreadable file")

    received = []
    with pytest.raises(ValueError, match="unreadable file"):
        for chunk in staging._read_ahead(chunks()):
            received.append(chunk)
    assert received == [b"a", b"b", b"c"]


def test_a_consumer_that_stops_early_releases_the_producer():
    finished = threading.Event()

    def chunks():
        try:
            yield from (bytes([i]) for i in range(100))
        finally:
            finished.set()

    stream = staging._read_ahead(chunks())
    next(stream)
    stream.close()
    assert finished.wait(timeout=5)
