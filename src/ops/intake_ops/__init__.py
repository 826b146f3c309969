"""intake-ops, the operator CLI of the NDJSON intake pipeline: see src/ops/README.md."""
