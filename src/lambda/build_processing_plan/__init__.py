"""The datamart workflow's build_processing_plan step (see src/lambda/datamart_workflow/README.md)."""
