"""scripts/build.py: the deployable zips and jar are reproducible byte for byte and laid out as deployed."""

import zipfile

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


def test_lambda_archive_holds_manifest_builder_with_its_handler(built_artifacts):
    lambda_zip = next(path for path in built_artifacts if path.name == "manifest_builder.zip")
    names = zipfile.ZipFile(lambda_zip).namelist()
    assert "manifest_builder/handler.py" in names
    assert all(name.startswith("manifest_builder/") for name in names)


def test_glue_library_archive_holds_ndjson_parquet(built_artifacts):
    glue_zip = next(path for path in built_artifacts if path.name == "ndjson_parquet.zip")
    names = zipfile.ZipFile(glue_zip).namelist()
    assert "ndjson_parquet/__init__.py" in names
    assert all(name.startswith("ndjson_parquet/") for name in names)


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
