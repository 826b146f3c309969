"""`platform-ops datamart`: the datamart load workflow's runs."""
