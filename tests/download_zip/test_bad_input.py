"""Bad input is a clear error naming the field, and nothing is written; an empty prefix writes nothing."""

import pytest
from download_zip.request import InvalidRequest, parse_request
from download_zip.service import zip_prefix

from .conftest import DESTINATION, event, keys, put


@pytest.mark.parametrize("field", ["source_bucket", "source_prefix", "destination_bucket", "destination_key"])
def test_a_missing_field_is_an_error_naming_it(field):
    request = event()
    del request[field]

    with pytest.raises(InvalidRequest, match=f"^{field} is required$"):
        parse_request(request)


@pytest.mark.parametrize(
    "name",
    [
        "Upper",
        "ab",
        "a" * 64,
        "under_score",
        "-dash",
        "dot.",
        "two..dots",
        "192.168.5.4",
        "xn--a",
        "b-s3alias",
    ],
)
@pytest.mark.parametrize("field", ["source_bucket", "destination_bucket"])
def test_a_bad_bucket_name_is_an_error_naming_the_field_and_the_name(field, name):
    with pytest.raises(InvalidRequest, match=f"^{field} is not a valid S3 bucket name: '{name}'$"):
        parse_request(event(**{field: name}))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"source_prefix": 7}, "source_prefix must be a string, not int"),
        ({"destination_key": ""}, "destination_key must not be empty"),
        ({"destination_key": "out/"}, "destination_key must name an object"),
        ({"ignore_patterns": "*.zip"}, "ignore_patterns must be a list"),
        ({"ignore_patterns": ["*.zip", ""]}, "ignore_patterns must be a list"),
    ],
)
def test_a_bad_value_is_an_error_naming_its_field(overrides, message):
    with pytest.raises(InvalidRequest, match=message):
        parse_request(event(**overrides))


def test_an_event_that_is_not_an_object_is_refused():
    with pytest.raises(InvalidRequest, match="must be a JSON object"):
        parse_request(["source_bucket"])


def test_a_source_bucket_that_does_not_exist_is_named_and_nothing_is_written(s3, settings):
    with pytest.raises(InvalidRequest, match="source_bucket 'no-such-source' does not exist"):
        zip_prefix(s3, parse_request(event(source_bucket="no-such-source")), settings)

    assert keys(s3) == []


def test_a_destination_bucket_that_does_not_exist_is_named(s3, settings):
    put(s3, {"data/a.csv": b"a"})

    with pytest.raises(InvalidRequest, match="destination_bucket 'no-such-destination' does not exist"):
        zip_prefix(s3, parse_request(event(destination_bucket="no-such-destination")), settings)


def test_an_empty_prefix_returns_no_files_and_writes_nothing(s3, settings):
    put(s3, {"elsewhere/a.csv": b"a"})

    result = zip_prefix(s3, parse_request(event()), settings)

    assert result == {
        "destination": "s3://zip-destination/out/data.zip",
        "files": 0,
        "skipped": 0,
        "bytes_in": 0,
        "bytes_out": 0,
        "vanished": [],
    }
    assert keys(s3) == []
    assert s3.list_multipart_uploads(Bucket=DESTINATION).get("Uploads", []) == []


def test_a_prefix_whose_objects_are_all_ignored_writes_nothing(s3, settings):
    put(s3, {"data/a.zip": b"a"})

    result = zip_prefix(s3, parse_request(event(ignore_patterns=["*.zip"])), settings)

    assert (result["files"], result["skipped"], keys(s3)) == (0, 1, [])
