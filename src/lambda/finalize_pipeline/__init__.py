"""The datamart workflow's finalize_pipeline step (see src/lambda/datamart_workflow/README.md)."""
