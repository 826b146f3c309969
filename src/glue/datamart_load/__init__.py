"""The datamart load engine: loads Parquet, CSV and NDJSON into PostgreSQL and runs SQL scripts, exactly once.

No ``awsglue`` here: the Glue entry point (``src/glue/datamart_load_job.py``) and the ``datamart-load``
command (``local.py``) both call ``engine.run_plan``.
"""
