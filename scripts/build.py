"""Build the deployable archives with reproducible bytes.

The Lambda and Glue library zips, and the Glue job's line parser jar (its Java UDF, compiled by
`ndjson_parquet.line_parser.build_jar`, which needs a JDK 17 `javac`). Terraform compares the archives by
hash (`source_code_hash`, `source_hash`), so a rebuild of unchanged sources must give the same bytes or
every plan would show a spurious Lambda/Glue update. Zip entries therefore get a fixed timestamp, fixed
permissions and a sorted order; caches and docs are left out. The jar's bytes also depend on the JDK, so
a build with another JDK may upload it again.

Usage: python scripts/build.py [--out build]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ndjson_parquet.line_parser import JAR_NAME, build_jar
from ndjson_parquet.reproducible_zip import write_zip

REPO_ROOT = Path(__file__).resolve().parent.parent

# (source package directory, archive path under the output directory). Each package sits at the zip
# root under its own name: the Lambda handler is `manifest_builder.handler.lambda_handler`, and Glue
# puts the `--extra-py-files` zip itself on sys.path.
ARCHIVES = (
    (REPO_ROOT / "src" / "lambda" / "manifest_builder", Path("lambda") / "manifest_builder.zip"),
    (REPO_ROOT / "src" / "glue" / "ndjson_parquet", Path("glue") / "ndjson_parquet.zip"),
    (REPO_ROOT / "src" / "glue" / "datamart_load", Path("glue") / "datamart_load.zip"),
)
LINE_PARSER_JAR = Path("glue") / JAR_NAME

INCLUDED_SUFFIXES = (".py", ".json", ".typed")


def package_files(package_dir: Path) -> list[Path]:
    """The files that belong in the archive, in a platform-independent order."""
    files = [
        path
        for path in package_dir.rglob("*")
        if path.is_file() and path.suffix in INCLUDED_SUFFIXES and "__pycache__" not in path.parts
    ]
    return sorted(files, key=lambda path: path.relative_to(package_dir).as_posix())


def build_archive(package_dir: Path, archive_path: Path) -> Path:
    """Zip `package_dir` as `<package name>/...` into `archive_path`, deterministically."""
    if not (package_dir / "__init__.py").is_file():
        raise FileNotFoundError(f"{package_dir} is not a Python package (no __init__.py)")
    return write_zip(
        archive_path,
        (
            (f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}", path.read_bytes())
            for path in package_files(package_dir)
        ),
    )


def build_all(out_dir: Path) -> list[Path]:
    archives = [build_archive(package_dir, out_dir / relative) for package_dir, relative in ARCHIVES]
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
