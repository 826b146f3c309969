"""DownloadZip: streams an S3 prefix into a ZIP written as a multipart upload (see README.md)."""
