"""The datamart workflow's handle_failure step (see src/lambda/datamart_workflow/README.md)."""
