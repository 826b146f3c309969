-- Staging tables, typed: the intake's Parquet holds text only, so a value that does not fit its column is
-- rejected by the load with PostgreSQL's reason instead of reaching the vault.
CREATE TABLE stg.events (
    event_id text PRIMARY KEY,
    "user" jsonb,
    tags jsonb,
    amount numeric(12, 2),
    ts timestamptz,
    _source_file text,
    _processing_timestamp timestamp
);
CREATE TABLE stg.ref_city (
    city text PRIMARY KEY,
    country text NOT NULL
);
