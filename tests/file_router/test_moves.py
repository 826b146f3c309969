"""The safe move: copy, verify, delete; a retry after a partial move finishes it instead of failing."""

import pytest
from file_router import handler
from file_router.moves import MoveFailed, move

from .conftest import BUCKET

MIB = 1024 * 1024


def body_of(account, key: str) -> bytes:
    return account.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def test_a_move_leaves_the_same_bytes_at_the_destination_and_nothing_at_the_source(account):
    account.s3.put_object(Bucket=BUCKET, Key="data/in/a.csv", Body=b"id\n1\n", ContentType="text/csv")

    moved = move(account.s3, BUCKET, "data/in/a.csv", "data/new_files/a.csv")

    assert (moved.destination_key, moved.copied) == ("data/new_files/a.csv", True)
    assert account.keys("data/") == ["data/new_files/a.csv"]
    assert body_of(account, "data/new_files/a.csv") == b"id\n1\n"
    assert account.s3.head_object(Bucket=BUCKET, Key="data/new_files/a.csv")["ContentType"] == "text/csv"


def test_a_retry_after_the_copy_deletes_the_original_without_copying_again(account):
    account.s3.put_object(Bucket=BUCKET, Key="data/in/a.csv", Body=b"id\n1\n")
    account.s3.copy_object(
        Bucket=BUCKET, Key="data/new_files/a.csv", CopySource={"Bucket": BUCKET, "Key": "data/in/a.csv"}
    )

    moved = move(account.s3, BUCKET, "data/in/a.csv", "data/new_files/a.csv")

    assert moved.copied is False
    assert account.keys("data/") == ["data/new_files/a.csv"]


def test_a_retry_after_the_delete_reports_the_move_done(account):
    account.s3.put_object(Bucket=BUCKET, Key="data/new_files/a.csv", Body=b"id\n1\n")

    moved = move(account.s3, BUCKET, "data/in/a.csv", "data/new_files/a.csv")

    assert moved.copied is False
    assert account.keys("data/") == ["data/new_files/a.csv"]


def test_a_stale_different_object_at_the_destination_is_replaced_by_the_copy(account):
    account.s3.put_object(Bucket=BUCKET, Key="data/in/a.csv", Body=b"new")
    account.s3.put_object(Bucket=BUCKET, Key="data/new_files/a.csv", Body=b"older file of that name")

    assert move(account.s3, BUCKET, "data/in/a.csv", "data/new_files/a.csv").copied is True
    assert body_of(account, "data/new_files/a.csv") == b"new"


def test_a_copy_that_does_not_match_its_source_keeps_the_original(account, monkeypatch):
    account.s3.put_object(Bucket=BUCKET, Key="data/in/a.csv", Body=b"id\n1\n")

    def corrupted_copy(Bucket, Key, CopySource):
        account.s3.put_object(Bucket=Bucket, Key=Key, Body=b"id\n2\n")

    monkeypatch.setattr(account.s3, "copy_object", corrupted_copy)

    with pytest.raises(MoveFailed, match="does not match"):
        move(account.s3, BUCKET, "data/in/a.csv", "data/new_files/a.csv")
    assert body_of(account, "data/in/a.csv") == b"id\n1\n"


def test_a_missing_source_without_its_copy_fails_naming_both(account):
    with pytest.raises(MoveFailed, match="data/in/a.csv is gone and .*data/new_files/a.csv does not exist"):
        move(account.s3, BUCKET, "data/in/a.csv", "data/new_files/a.csv")


def test_a_multipart_source_is_copied_part_by_part_and_keeps_its_etag(account):
    upload = account.s3.create_multipart_upload(Bucket=BUCKET, Key="data/in/big.csv")
    parts = []
    for number, fill in enumerate((b"a", b"b", b"c"), start=1):
        data = fill * (5 * MIB if number < 3 else 1000)
        etag = account.s3.upload_part(
            Bucket=BUCKET, Key="data/in/big.csv", UploadId=upload["UploadId"], PartNumber=number, Body=data
        )["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    account.s3.complete_multipart_upload(
        Bucket=BUCKET, Key="data/in/big.csv", UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
    )
    source_etag = account.s3.head_object(Bucket=BUCKET, Key="data/in/big.csv")["ETag"]

    move(account.s3, BUCKET, "data/in/big.csv", "data/archive/big.csv")

    assert source_etag.endswith('-3"')
    assert account.s3.head_object(Bucket=BUCKET, Key="data/archive/big.csv")["ETag"] == source_etag
    assert account.keys("data/") == ["data/archive/big.csv"]


def test_in_a_versioned_bucket_exactly_the_moved_version_is_deleted(account):
    account.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    first = account.s3.put_object(Bucket=BUCKET, Key="data/in/a.csv", Body=b"first")["VersionId"]
    account.s3.put_object(Bucket=BUCKET, Key="data/in/a.csv", Body=b"second")

    move(account.s3, BUCKET, "data/in/a.csv", "data/new_files/a.csv", version_id=first)

    assert body_of(account, "data/new_files/a.csv") == b"first"
    assert body_of(account, "data/in/a.csv") == b"second"
    versions = account.s3.list_object_versions(Bucket=BUCKET, Prefix="data/in/a.csv")["Versions"]
    assert [version["VersionId"] for version in versions if version["VersionId"] == first] == []


def test_a_retry_of_an_unknown_file_after_a_failed_delete_finishes_the_move_and_announces_once(
    account, invoke, monkeypatch
):
    event = account.land("data/in/mystery.csv")
    router = handler._router()
    real_delete = router.s3.delete_object
    monkeypatch.setattr(
        router.s3, "delete_object", lambda **_: (_ for _ in ()).throw(ConnectionError("reset"))
    )
    with pytest.raises(ConnectionError):
        invoke(event)
    monkeypatch.setattr(router.s3, "delete_object", real_delete)

    result = invoke(event)

    assert result == {"status": "not_configured", "moved_to": "data/new_files/mystery.csv"}
    assert account.keys("data/") == ["data/new_files/mystery.csv"]
    assert [notice["subject"] for notice in account.notices()] == ["New / Not Configured File"]


def test_in_an_unversioned_bucket_a_newer_upload_of_the_key_is_not_moved_in_the_older_ones_place(account):
    older = account.s3.put_object(Bucket=BUCKET, Key="data/in/a.csv", Body=b"older")["ETag"].strip('"')
    account.s3.put_object(Bucket=BUCKET, Key="data/in/a.csv", Body=b"newer")

    with pytest.raises(MoveFailed, match="holds another upload now"):
        move(account.s3, BUCKET, "data/in/a.csv", "data/archive/a.csv", etag=older)
    assert account.keys("data/") == ["data/in/a.csv"]
