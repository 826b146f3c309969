"""File-system calls through Spark's own Hadoop FileSystem: the same code serves S3 in Glue and disk."""

from __future__ import annotations

from collections import defaultdict

from pyspark.sql import SparkSession


class HadoopFs:
    def __init__(self, spark: SparkSession):
        self._jvm = spark.sparkContext._jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()

    def _path(self, uri: str):
        return self._jvm.org.apache.hadoop.fs.Path(uri)

    def _fs(self, path):
        return path.getFileSystem(self._conf)

    def sizes(self, uris: list[str]) -> dict[str, int]:
        """Byte size of each URI, one listing per parent folder rather than one request per file."""
        by_parent: dict[str, list[str]] = defaultdict(list)
        for uri in uris:
            by_parent[str(self._path(uri).getParent())].append(uri)
        found: dict[str, int] = {}
        for parent, children in by_parent.items():
            parent_path = self._path(parent)
            fs = self._fs(parent_path)
            wanted = {str(fs.makeQualified(self._path(uri))): uri for uri in children}
            for status in fs.listStatus(parent_path):
                uri = wanted.get(str(status.getPath()))
                if uri is not None and status.isFile():
                    found[uri] = status.getLen()
        missing = [uri for uri in uris if uri not in found]
        if missing:
            raise FileNotFoundError(f"{len(missing)} manifest file(s) not found, first: {missing[0]}")
        return found

    def spark_name(self, uri: str) -> str:
        """The name ``input_file_name()`` gives this file: its qualified, percent-encoded URI."""
        path = self._path(uri)
        return str(self._fs(path).makeQualified(path).toUri().toString())

    def delete(self, uri: str) -> None:
        path = self._path(uri)
        self._fs(path).delete(path, True)

    def data_files(self, uri: str) -> list[str]:
        """Files under ``uri`` that hold data (Spark's _SUCCESS and hidden files excluded)."""
        path = self._path(uri)
        fs = self._fs(path)
        if not fs.exists(path):
            return []
        return sorted(
            str(status.getPath())
            for status in fs.listStatus(path)
            if status.isFile() and not status.getPath().getName().startswith(("_", "."))
        )
