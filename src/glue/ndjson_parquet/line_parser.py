"""The JVM line parser (``jvm/ndjsonparquet/LineParser.java``): its jar, and the Spark column that calls it.

Spark's ``from_json`` re-renders fractional numbers through a double, ignores text after the first JSON value
and decodes every line through a new character reader; the line parser keeps numbers as written, requires
exactly one object per line and parses the bytes (the Java source says how). It runs as a Catalyst
expression (``ParseLine.java``) in Spark's generated code: Glue loads the jar with ``--extra-jars``; locally
``local_session`` puts it on ``spark.jars``, built here on first use with the JDK's ``javac`` against the jars
pyspark ships.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pyspark
from py4j.java_gateway import JavaClass, JavaObject
from pyspark.sql import Column, SparkSession
from pyspark.sql import types as T

from .reproducible_zip import write_zip

SOURCE_ROOT = Path(__file__).parent / "jvm"
CLASS_NAME = "ndjsonparquet.ParseLine"
COUNTS_CLASS_NAME = "ndjsonparquet.PassCounts"
JAR_NAME = "ndjson_line_parser.jar"
# The release Glue 5.0 runs.
JAVA_RELEASE = "17"
# The pyspark jars the source compiles against (Glue 5.0 ships the same Spark 3.5 and Jackson 2.15 APIs).
_COMPILE_JARS = (
    "jackson-core-*.jar",
    "spark-sql-api_*.jar",
    "spark-sql_*.jar",
    "spark-core_*.jar",
    "spark-catalyst_*.jar",
    "spark-unsafe_*.jar",
    "spark-common-utils_*.jar",
    "kryo-shaded-*.jar",
    "scala-library-*.jar",
    "scala-reflect-*.jar",
)
_MANIFEST = b"Manifest-Version: 1.0\r\nCreated-By: ndjson_parquet.line_parser\r\n\r\n"

# Values of the result's status column (LineParser.RECORD, BLANK, REJECT).
RECORD, BLANK, REJECT = 0, 1, 2
STATUS, REASON, UNSEEN_FIELDS = "status", "reason", "unseen_fields"


class LineParserUnavailable(RuntimeError):
    """The line parser's classes are not on Spark's classpath, or cannot be built."""


def sources() -> list[Path]:
    return sorted(SOURCE_ROOT.rglob("*.java"))


def _compile_classpath() -> str:
    jars = Path(pyspark.__file__).parent / "jars"
    found = [next(iter(sorted(jars.glob(pattern))), None) for pattern in _COMPILE_JARS]
    if None in found:
        raise LineParserUnavailable(f"pyspark's jars folder {jars} lacks one of {_COMPILE_JARS}")
    return os.pathsep.join(str(path) for path in found)


def _javac() -> str:
    java_home = os.environ.get("JAVA_HOME")
    candidate = Path(java_home) / "bin" / "javac" if java_home else None
    javac = str(candidate) if candidate and candidate.is_file() else shutil.which("javac")
    if not javac:
        raise LineParserUnavailable(
            "building the line parser jar needs a JDK 17 javac (on PATH or JAVA_HOME)"
        )
    return javac


def build_jar(jar_path: Path) -> Path:
    """Compile the sources into ``jar_path``; the same sources and JDK give the same bytes."""
    with tempfile.TemporaryDirectory(prefix="line-parser-") as workdir:
        classes = Path(workdir) / "classes"
        command = [
            _javac(),
            "--release",
            JAVA_RELEASE,
            "-nowarn",
            "-cp",
            _compile_classpath(),
            "-d",
            str(classes),
        ]
        result = subprocess.run([*command, *map(str, sources())], capture_output=True, text=True)
        if result.returncode != 0:
            raise LineParserUnavailable(f"javac failed:\n{result.stderr}")
        classes_in_order = sorted(classes.rglob("*.class"), key=lambda p: p.relative_to(classes).as_posix())
        return write_zip(
            jar_path,
            [("META-INF/MANIFEST.MF", _MANIFEST)]
            + [(path.relative_to(classes).as_posix(), path.read_bytes()) for path in classes_in_order],
        )


def local_jar() -> Path:
    """The jar for local Spark, built once per source version into the user's cache folder."""
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in sources())).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ndjson-parquet"
    jar_path = cache / f"line-parser-{digest}.jar"
    return jar_path if jar_path.is_file() else build_jar(jar_path)


def result_type(fields: list[str]) -> T.StructType:
    """What the parser returns per line: status, reason, unseen fields, then one string per field."""
    return T.StructType(
        [
            T.StructField(STATUS, T.IntegerType(), nullable=False),
            T.StructField(REASON, T.StringType()),
            T.StructField(UNSEEN_FIELDS, T.ArrayType(T.StringType(), containsNull=False)),
            *[T.StructField(value_column(index), T.StringType()) for index in range(len(fields))],
        ]
    )


def value_column(index: int) -> str:
    """The result's column for ``fields[index]`` (positional: field names may hold any character)."""
    return f"value_{index}"


def _jvm_class(spark: SparkSession, name: str) -> JavaClass:
    found = spark.sparkContext._jvm
    for part in name.split("."):
        found = getattr(found, part)
    if not isinstance(found, JavaClass):  # py4j names a class it cannot load a package
        raise LineParserUnavailable(
            f"{name} is not on Spark's classpath: the Glue job needs --extra-jars with {JAR_NAME}, "
            "local Spark needs spark.jars (ndjson_parquet.local.local_session sets it)"
        )
    return found


def parse(
    spark: SparkSession, line: Column, file: Column, fields: list[str], counts: JavaObject | None = None
) -> Column:
    """The struct ``result_type(fields)`` for each line of ``spark.read.text`` (``line`` is its string, whose
    UTF-8 bytes the parser reads without decoding them; ``file`` its ``input_file_name()``), counted into
    ``counts`` (``pass_counts``) when given."""
    return_type = spark._jsparkSession.parseDataType(result_type(fields).json())
    return Column(_jvm_class(spark, CLASS_NAME).of(line._jc, file._jc, list(fields), return_type, counts))


def pass_counts(spark: SparkSession) -> JavaObject:
    """A new accumulator for ``parse``'s counts (``jvm/ndjsonparquet/PassCounts.java``): once the action that
    parsed has run, ``.value()`` is the JSON object ``{"records_by_file": {file: n}, "rejects_by_file": {file:
    n}, "unseen_fields": [name, …]}``. Spark merges each successful task's counts once, which counts each line
    once only while the parse runs in the write's own stage: a shuffle between them would count a retried
    stage's lines again."""
    counts = _jvm_class(spark, COUNTS_CLASS_NAME)()
    # Unnamed: Spark reads a named accumulator's value after every task (for the UI and event log), and this
    # one's value is a JSON document over every file seen so far.
    spark.sparkContext._jsc.sc().register(counts)
    return counts
