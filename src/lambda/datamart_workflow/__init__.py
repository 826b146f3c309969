"""What the datamart workflow's four functions and its operator commands share: bundles, plans, run records.

Bundled into each datamart function's zip by scripts/build.py, beside platform_common. It imports no function.
"""
