"""The manifest builder Lambda: S3 notifications in, tracked files and manifests out (see README.md)."""
