"""The datamart workflow's check_results step (see src/lambda/datamart_workflow/README.md)."""
