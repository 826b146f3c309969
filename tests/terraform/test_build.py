"""scripts/build.py: the deployable zips and jar are reproducible byte for byte and laid out as deployed."""

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest


@pytest.fixture
def sample_package(tmp_path):
    """A package with a subpackage, a bytecode cache and a README (left out of archives)."""
    package = tmp_path / "src" / "sample_pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text('"""Sample."""\n')
    (package / "handler.py").write_text("def lambda_handler(event, context):\n    return event\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"\x00cache")
    (package / "README.md").write_text("# docs\n")
    return package


def test_rebuilding_the_same_sources_gives_identical_bytes(build_script, sample_package, tmp_path):
    first = build_script.build_archive(sample_package, tmp_path / "one" / "sample.zip").read_bytes()
    for path in sample_package.rglob("*.py"):
        path.touch()  # new modification times must not change the archive
    second = build_script.build_archive(sample_package, tmp_path / "two" / "sample.zip").read_bytes()
    assert first == second


def test_archive_holds_the_package_at_its_root_without_caches(build_script, sample_package, tmp_path):
    archive = build_script.build_archive(sample_package, tmp_path / "sample.zip")
    assert zipfile.ZipFile(archive).namelist() == [
        "sample_pkg/__init__.py",
        "sample_pkg/handler.py",
        "sample_pkg/sub/__init__.py",
    ]


def test_archive_entries_have_a_fixed_timestamp_and_permissions(build_script, sample_package, tmp_path):
    archive = build_script.build_archive(sample_package, tmp_path / "sample.zip")
    for info in zipfile.ZipFile(archive).infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644


def test_a_directory_without_init_is_refused(build_script, tmp_path):
    (tmp_path / "not_a_package").mkdir()
    with pytest.raises(FileNotFoundError, match="not a Python package"):
        build_script.build_archive(tmp_path / "not_a_package", tmp_path / "out.zip")


def test_every_lambda_directory_with_a_handler_is_a_function_and_the_shared_package_is_not(
    build_script, tmp_path
):
    for name in ("ingest", "route"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "handler.py").write_text("")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "__init__.py").write_text("")

    assert [path.name for path in build_script.functions(tmp_path)] == ["ingest", "route"]


def test_lambda_archive_holds_manifest_builder_the_shared_package_and_powertools(built_artifacts):
    lambda_zip = next(path for path in built_artifacts if path.name == "manifest_builder.zip")
    names = zipfile.ZipFile(lambda_zip).namelist()
    assert lambda_zip.parent.name == "lambda"
    assert "manifest_builder/handler.py" in names
    assert "platform_common/observability.py" in names
    assert "aws_lambda_powertools/metrics/__init__.py" in names
    assert "typing_extensions.py" in names
    assert names == sorted(names)


def test_lambda_archive_leaves_out_caches_and_the_powertools_parts_no_function_imports(built_artifacts):
    lambda_zip = next(path for path in built_artifacts if path.name == "manifest_builder.zip")
    names = zipfile.ZipFile(lambda_zip).namelist()
    assert not [name for name in names if "__pycache__" in name or name.endswith((".pyc", "RECORD"))]
    assert not [name for name in names if name.startswith("aws_lambda_powertools/event_handler/")]
    assert not [name for name in names if name.startswith("aws_lambda_powertools/utilities/parser/")]
    assert lambda_zip.stat().st_size < 400_000


def test_the_lambda_archive_runs_its_handler_with_only_what_the_lambda_runtime_provides(
    built_artifacts, tmp_path
):
    """The zip, unpacked beside boto3 and its dependencies alone (as in the runtime), handles an event."""
    lambda_zip = next(path for path in built_artifacts if path.name == "manifest_builder.zip")
    task = tmp_path / "task"
    zipfile.ZipFile(lambda_zip).extractall(task)
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    for module in ("boto3", "botocore", "jmespath", "s3transfer", "urllib3", "dateutil", "six"):
        origin = importlib.util.find_spec(module).origin
        source = Path(origin).parent if origin.endswith("__init__.py") else Path(origin)
        (runtime / source.name).symlink_to(source)
    invocation = f"""
import json, sys
sys.path[:0] = [{str(task)!r}, {str(runtime)!r}]
from manifest_builder import handler
import aws_lambda_powertools, typing_extensions
assert aws_lambda_powertools.__file__.startswith({str(task)!r}), aws_lambda_powertools.__file__
assert typing_extensions.__file__.startswith({str(task)!r}), typing_extensions.__file__
class Context:
    function_name, memory_limit_in_mb, aws_request_id = "manifest-builder", 512, "r-1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:manifest-builder"
record = {{"messageId": "m-1", "body": json.dumps({{"Event": "s3:TestEvent"}})}}
print(json.dumps(handler.lambda_handler({{"Records": [record]}}, Context())))
"""
    environment = {
        "TRACKING_TABLE": "tracking",
        "MANIFEST_BUCKET": "manifests",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_NAMESPACE": "ndjson-intake-dev",
        "PATH": os.environ["PATH"],
    }
    result = subprocess.run(
        [sys.executable, "-S", "-c", invocation], env=environment, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    *metrics, response = [json.loads(line) for line in result.stdout.splitlines()]
    assert response == {"batchItemFailures": []}
    assert metrics[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "ndjson-intake-dev"


def test_glue_library_archive_holds_ndjson_parquet_and_the_tracking_tables_module(built_artifacts):
    glue_zip = next(path for path in built_artifacts if path.name == "ndjson_parquet.zip")
    names = zipfile.ZipFile(glue_zip).namelist()
    assert "ndjson_parquet/__init__.py" in names
    assert {name for name in names if not name.startswith("ndjson_parquet/")} == {
        "manifest_builder/__init__.py",
        "manifest_builder/tracking.py",
        "manifest_builder/tracking_schema.json",
        "manifest_builder/batching.py",
        "manifest_builder/events.py",
    }


def test_the_tracking_module_reads_its_schema_from_inside_the_glue_library_archive(built_artifacts):
    glue_zip = next(path for path in built_artifacts if path.name == "ndjson_parquet.zip")
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import manifest_builder.tracking as t; "
        "print(t.__file__.startswith(sys.argv[1]), t.MANIFEST_PREFIX, t.COMPLETED)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(glue_zip)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "MANIFEST#", "completed"]


def test_glue_library_archive_holds_datamart_load(built_artifacts):
    glue_zip = next(path for path in built_artifacts if path.name == "datamart_load.zip")
    names = zipfile.ZipFile(glue_zip).namelist()
    assert "datamart_load/engine.py" in names
    assert all(name.startswith("datamart_load/") for name in names)


def test_glue_line_parser_jar_is_built_beside_the_library_with_its_classes(built_artifacts):
    jar = next(path for path in built_artifacts if path.name == "ndjson_line_parser.jar")
    assert jar.parent.name == "glue"
    assert "ndjsonparquet/LineParser.class" in zipfile.ZipFile(jar).namelist()


def test_rebuilding_gives_an_identical_line_parser_jar(build_script, tmp_path):
    first, second = (
        next(path for path in build_script.build_all(tmp_path / out) if path.suffix == ".jar").read_bytes()
        for out in ("one", "two")
    )
    assert first == second


@pytest.mark.parametrize("function", ["upload_config", "file_router"])
def test_the_config_validating_zips_carry_the_schemas_and_the_lambda_runtimes_compiled_libraries(
    built_artifacts, function
):
    (archive,) = [path for path in built_artifacts if path.name == f"{function}.zip"]
    names = zipfile.ZipFile(archive).namelist()
    assert {
        "platform_common/schemas/router_config.schema.json",
        "platform_common/schemas/datamart_run.schema.json",
    } <= set(names)
    assert "jsonschema/__init__.py" in names
    # rpds-py is compiled: the zip holds the build for the functions' runtime, not this machine's.
    assert [name for name in names if name.startswith("rpds/") and name.endswith(".so")] == [
        "rpds/rpds.cpython-312-x86_64-linux-gnu.so"
    ]


@pytest.mark.parametrize("function", ["check_results", "finalize_pipeline", "handle_failure"])
def test_the_datamart_functions_reaching_postgresql_carry_the_workflow_the_ledger_and_the_runtimes_psycopg(
    built_artifacts, function
):
    (archive,) = [path for path in built_artifacts if path.name == f"{function}.zip"]
    names = set(zipfile.ZipFile(archive).namelist())
    assert {
        f"{function}/handler.py",
        "datamart_workflow/runs.py",
        "platform_common/schemas/datamart_bundle.schema.json",
        "datamart_load/ledger.py",
        "datamart_load/staging_names.py",
        "psycopg/__init__.py",
    } <= names
    assert [name for name in names if name.startswith("psycopg_binary/_psycopg.cpython-312-x86_64")]


def test_build_processing_plan_carries_the_workflow_and_the_schemas_without_the_database_driver(
    built_artifacts,
):
    (archive,) = [path for path in built_artifacts if path.name == "build_processing_plan.zip"]
    names = set(zipfile.ZipFile(archive).namelist())
    assert {"datamart_workflow/planning.py", "platform_common/schemas/datamart_run.schema.json"} <= names
    assert not [name for name in names if name.startswith(("psycopg", "datamart_load/"))]
