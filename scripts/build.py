"""Build the deployable archives with reproducible bytes.

One zip per Lambda function: each directory of `src/lambda/` with a `handler.py` is a function, built into
`build/lambda/<function>.zip` with the shared package (`src/lambda/platform_common/`) and the pinned
third-party libraries it runs with (Powertools, bundled from the installed distributions: no layer). Then
the Glue jobs' library zips, and the Glue job's line parser jar (its Java UDF, compiled by
`ndjson_parquet.line_parser.build_jar`, which needs a JDK 17 `javac`).

Terraform compares the archives by hash (`source_code_hash`, `source_hash`), so a rebuild of unchanged
sources must give the same bytes or every plan would show a spurious Lambda/Glue update. Zip entries
therefore get a fixed timestamp, fixed permissions and a sorted order; caches, docs and tests are left out.
The jar's bytes also depend on the JDK, so a build with another JDK may upload it again.

Usage: python scripts/build.py [--out build]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from ndjson_parquet.line_parser import JAR_NAME, build_jar
from ndjson_parquet.reproducible_zip import write_zip

REPO_ROOT = Path(__file__).resolve().parent.parent
LAMBDA_SOURCES = REPO_ROOT / "src" / "lambda"
SHARED_PACKAGE = LAMBDA_SOURCES / "platform_common"
GLUE_LIBRARIES = (REPO_ROOT / "src" / "glue" / "ndjson_parquet", REPO_ROOT / "src" / "glue" / "datamart_load")
LINE_PARSER_JAR = Path("glue") / JAR_NAME
# Modules of other packages a Glue library runs with: the NDJSON job records each file's outcome through the
# tracking table's one owner module (and the two modules of plain types it imports).
GLUE_LIBRARY_MODULES = {
    "ndjson_parquet": tuple(
        LAMBDA_SOURCES / "manifest_builder" / name
        for name in ("__init__.py", "tracking.py", "tracking_schema.json", "batching.py", "events.py")
    ),
}

INCLUDED_SUFFIXES = (".py", ".json", ".typed")

# Third-party distributions every function runs with, pinned in pyproject.toml, and the parts of each that
# no function imports (the Lambda runtime provides boto3, botocore and jmespath). Powertools' event
# handler and its utilities other than jmespath_utils (which its Logger uses) are 6 of its 7.6 MB.
RUNTIME_DISTRIBUTIONS = {
    "aws-lambda-powertools": re.compile(
        r"aws_lambda_powertools/(event_handler|utilities/(?!__init__\.py|jmespath_utils/))"
    ),
    "typing-extensions": None,
}

# What only some functions run with: more pinned distributions, and repository folders copied into the
# shared package (UploadConfig, the file router and the datamart workflow validate against the repository's
# schemas/).
JSONSCHEMA = ("jsonschema", "jsonschema-specifications", "referencing", "attrs", "rpds-py")
SCHEMAS = {REPO_ROOT / "schemas": "platform_common/schemas"}
# The datamart workflow's functions share their own package; those reaching PostgreSQL read the engine's
# ledger through its modules that need psycopg only (ledger, staging_names, glue_arguments, sql), and
# psycopg's binary wheel brings libpq.
DATAMART_WORKFLOW = SHARED_PACKAGE.parent / "datamart_workflow"
DATAMART_ENGINE = REPO_ROOT / "src" / "glue" / "datamart_load"
POSTGRES = ("psycopg", "psycopg-binary")
FUNCTION_DISTRIBUTIONS = {
    "upload_config": JSONSCHEMA,
    "file_router": JSONSCHEMA,
    "build_processing_plan": JSONSCHEMA,
    "check_results": (*JSONSCHEMA, *POSTGRES),
    "finalize_pipeline": (*JSONSCHEMA, *POSTGRES),
    "handle_failure": (*JSONSCHEMA, *POSTGRES),
}
FUNCTION_PACKAGES = {
    "build_processing_plan": (DATAMART_WORKFLOW,),
    "check_results": (DATAMART_WORKFLOW, DATAMART_ENGINE),
    "finalize_pipeline": (DATAMART_WORKFLOW, DATAMART_ENGINE),
    "handle_failure": (DATAMART_WORKFLOW, DATAMART_ENGINE),
}
FUNCTION_DATA = {name: SCHEMAS for name in FUNCTION_DISTRIBUTIONS}

# The platform compiled distributions are built for: the functions' runtime (python3.12 on x86_64). The
# installed copy is built for this machine's interpreter, so its Lambda wheel of the same version is
# downloaded from the package index instead (and cached).
LAMBDA_PLATFORM = ("--platform", "manylinux2014_x86_64", "--python-version", "3.12", "--implementation", "cp")
WHEEL_CACHE = Path.home() / ".cache" / "platform-build" / "wheels"


def package_files(package_dir: Path) -> list[Path]:
    """The files that belong in the archive, in a platform-independent order."""
    files = [
        path
        for path in package_dir.rglob("*")
        if path.is_file()
        and path.suffix in INCLUDED_SUFFIXES
        and not {"__pycache__", "tests"} & set(path.relative_to(package_dir).parts)
    ]
    return sorted(files, key=lambda path: path.relative_to(package_dir).as_posix())


def package_entries(package_dir: Path) -> Iterator[tuple[str, bytes]]:
    """`(name, bytes)` of the package's files, each under `<package name>/`."""
    if not (package_dir / "__init__.py").is_file():
        raise FileNotFoundError(f"{package_dir} is not a Python package (no __init__.py)")
    for path in package_files(package_dir):
        yield f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}", path.read_bytes()


def _bundled(path: str, excluded: re.Pattern[str] | None) -> bool:
    if "__pycache__" in path.split("/") or path.endswith(".pyc") or (excluded and excluded.match(path)):
        return False
    # RECORD and the installer's notes describe one installation, not the bundle.
    return ".dist-info/" not in path or path.endswith("/METADATA") or "/licenses/" in path


def distribution_entries(name: str, excluded: re.Pattern[str] | None = None) -> Iterator[tuple[str, bytes]]:
    """The distribution's modules and licence at the version pinned in pyproject.toml: the installed files
    of a pure-Python distribution, the Lambda platform's wheel of a compiled one."""
    distribution = metadata.distribution(name)
    pinned = pinned_version(name)
    if distribution.version != pinned:
        raise RuntimeError(f"{name} {distribution.version} is installed, pyproject.toml pins {pinned}")
    if "Root-Is-Purelib: false" in (distribution.read_text("WHEEL") or ""):
        yield from wheel_entries(lambda_wheel(name, pinned), excluded)
        return
    for file in distribution.files or ():
        if _bundled(file.as_posix(), excluded):
            yield file.as_posix(), file.read_binary()


def lambda_wheel(name: str, version: str) -> Path:
    """The wheel of `name==version` for the Lambda platform, downloaded once into the cache."""
    pattern = f"{name.replace('-', '_')}-{version}-*.whl"
    cached = sorted(WHEEL_CACHE.glob(pattern))
    if not cached:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
        command += [*LAMBDA_PLATFORM, "--dest", str(WHEEL_CACHE), f"{name}=={version}"]
        result = subprocess.run(command, capture_output=True, text=True)
        cached = sorted(WHEEL_CACHE.glob(pattern))
        if result.returncode != 0 or not cached:
            raise RuntimeError(f"cannot download {name}=={version} for the Lambda runtime:\n{result.stderr}")
    return cached[0]


def wheel_entries(wheel: Path, excluded: re.Pattern[str] | None) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if not name.endswith("/") and _bundled(name, excluded):
                yield name, archive.read(name)


def data_entries(source: Path, destination: str) -> Iterator[tuple[str, bytes]]:
    for path in sorted(source.rglob("*.json")):
        yield f"{destination}/{path.relative_to(source).as_posix()}", path.read_bytes()


def pinned_version(name: str) -> str:
    dependencies = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in dependencies:
        found = re.fullmatch(rf"{re.escape(name)}==(\S+)", requirement.strip(), re.IGNORECASE)
        if found:
            return found[1]
    raise RuntimeError(f"{name} is bundled into the Lambda zips but not pinned (==) in pyproject.toml")


def functions(lambda_sources: Path = LAMBDA_SOURCES) -> list[Path]:
    """The function directories: packages of src/lambda/ with a handler module."""
    return sorted(path.parent for path in lambda_sources.glob("*/handler.py"))


def build_function(function_dir: Path, archive_path: Path) -> Path:
    """Zip a function with the shared package, the runtime distributions and its own, sorted by name."""
    entries = [*package_entries(function_dir), *package_entries(SHARED_PACKAGE)]
    for package in FUNCTION_PACKAGES.get(function_dir.name, ()):
        entries.extend(package_entries(package))
    for name, excluded in RUNTIME_DISTRIBUTIONS.items():
        entries.extend(distribution_entries(name, excluded))
    for name in FUNCTION_DISTRIBUTIONS.get(function_dir.name, ()):
        entries.extend(distribution_entries(name))
    for source, destination in FUNCTION_DATA.get(function_dir.name, {}).items():
        entries.extend(data_entries(source, destination))
    return write_zip(archive_path, sorted(entries))


def build_archive(package_dir: Path, archive_path: Path) -> Path:
    """Zip `package_dir` as `<package name>/...` into `archive_path`, deterministically, with the modules
    of other packages it runs with (GLUE_LIBRARY_MODULES)."""
    modules = [
        (f"{path.parent.name}/{path.name}", path.read_bytes())
        for path in GLUE_LIBRARY_MODULES.get(package_dir.name, ())
    ]
    return write_zip(archive_path, sorted([*package_entries(package_dir), *modules]))


def build_all(out_dir: Path) -> list[Path]:
    # Each package sits at the zip root under its own name: a handler is `<function>.handler.lambda_handler`,
    # and Glue puts the `--extra-py-files` zip itself on sys.path.
    archives = [
        build_function(function_dir, out_dir / "lambda" / f"{function_dir.name}.zip")
        for function_dir in functions()
    ]
    archives += [
        build_archive(library, out_dir / "glue" / f"{library.name}.zip") for library in GLUE_LIBRARIES
    ]
    return [*archives, build_jar(out_dir / LINE_PARSER_JAR)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "build", help="output directory")
    args = parser.parse_args(argv)
    for archive in build_all(args.out):
        print(f"built {archive}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
