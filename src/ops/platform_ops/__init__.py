"""platform-ops, the data platform's operator CLI: one command group per pipeline (see src/ops/README.md)."""
