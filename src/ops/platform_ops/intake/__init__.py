"""`platform-ops intake`: the NDJSON intake's operator commands (see src/ops/README.md)."""
