"""File-system calls through Spark's own Hadoop FileSystem: the same code serves S3 in Glue and disk."""

from __future__ import annotations

from pyspark.sql import SparkSession


class HadoopFs:
    def __init__(self, spark: SparkSession):
        self._jvm = spark.sparkContext._jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()

    def _path(self, uri: str):
        return self._jvm.org.apache.hadoop.fs.Path(uri)

    def _fs(self, path):
        return path.getFileSystem(self._conf)

    def delete(self, uri: str) -> None:
        path = self._path(uri)
        self._fs(path).delete(path, True)

    def exists(self, path: str) -> bool:
        """Whether the file ``path`` (as it is named, no pattern) exists."""
        hadoop_path = self._path(path)
        return bool(self._fs(hadoop_path).exists(hadoop_path))

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
