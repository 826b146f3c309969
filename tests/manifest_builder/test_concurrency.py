"""Many invocations at once: every valid file lands in exactly one manifest, none lost, none twice."""

import collections
import queue
import random
import threading

from manifest_builder.aws import AwsClients
from manifest_builder.config import Config
from manifest_builder.service import ManifestBuilder

WORKERS = 8
FILES = 1_000
DUPLICATE_SHARE = 0.10
SQS_BATCH_SIZE = 10
PAST_DATE_EVERY = 50  # 2% of the files belong to yesterday: each such arrival runs the orphan flush
# Small manifests: more of them, so more lock hand-overs between the workers.
MAX_FILES_PER_MANIFEST = "50"


def test_concurrent_workers_with_duplicate_deliveries_put_each_file_in_exactly_one_manifest(
    stack, events, atomic_emulator
):
    rng = random.Random(20240310)
    dates = [stack.today if n % PAST_DATE_EVERY else stack.yesterday for n in range(FILES)]
    # Valid files are never read by the builder: notifications alone stand for them here.
    records = [
        events.record(
            events.notification(
                stack.input_bucket, f"in/{date}/events-{date}-{n:05d}.ndjson", 100, f"etag-{n}"
            )
        )
        for n, date in enumerate(dates)
    ]
    deliveries = records + [
        dict(record, messageId=record["messageId"] + "-again")
        for record in rng.sample(records, int(FILES * DUPLICATE_SHARE))
    ]
    rng.shuffle(deliveries)
    work: queue.Queue = queue.Queue()
    for start in range(0, len(deliveries), SQS_BATCH_SIZE):
        work.put(deliveries[start : start + SQS_BATCH_SIZE])
    config = Config.from_environ(stack.env(MAX_FILES_PER_MANIFEST=MAX_FILES_PER_MANIFEST))
    # Each worker is a separate Lambda container with its own clients, created here: client creation is
    # not thread-safe in boto3, calls are.
    builders = [ManifestBuilder(config, AwsClients.create(), now=stack.clock.now) for _ in range(WORKERS)]
    failures = []
    errors = []

    def worker(builder):
        try:
            while True:
                try:
                    batch = work.get_nowait()
                except queue.Empty:
                    return
                failures.extend(builder.handle_sqs_batch(batch)["batchItemFailures"])
        except BaseException as error:  # surfaced below: a thread's exception would vanish otherwise
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(b,)) for b in builders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and failures == []

    stack.clock.advance(days=1)
    builders[0].sweep()

    every_file = {
        f"s3://{stack.input_bucket}/in/{date}/events-{date}-{n:05d}.ndjson" for n, date in enumerate(dates)
    }
    documents = stack.manifest_documents()
    manifested = collections.Counter(
        uri for doc in documents for uri in doc["fileLocations"][0]["URIPrefixes"]
    )
    assert set(manifested) == every_file
    assert set(manifested.values()) == {1}
    items = {**stack.files(stack.today), **stack.files(stack.yesterday)}
    assert set(items) == every_file
    by_manifest = {doc["manifest_id"]: set(doc["fileLocations"][0]["URIPrefixes"]) for doc in documents}
    assert all(
        item["status"] == "manifested" and item["file_key"] in by_manifest[item["manifest_id"]]
        for item in items.values()
    )
    manifest_items = stack.manifest_items(stack.today) + stack.manifest_items(stack.yesterday)
    assert {m["manifest_id"] for m in manifest_items} == set(by_manifest)
    assert {m["status"] for m in manifest_items} == {"manifested"}
    assert sorted(e["name"] for e in stack.executions()) == sorted(by_manifest)
    for date in (stack.today, stack.yesterday):
        assert builders[0].table.counters(date).pending_count == 0
