-- The enterprise data vault: hubs (business keys), links (relations), satellites (descriptive history).
-- Hash keys are md5 of the normalised business key; satellites are insert-only, one row per change.
CREATE TABLE edv.hub_event (
    event_hk char(32) PRIMARY KEY,
    event_id text NOT NULL UNIQUE,
    load_ts timestamptz NOT NULL,
    record_source text NOT NULL
);
CREATE TABLE edv.hub_user (
    user_hk char(32) PRIMARY KEY,
    user_id text NOT NULL UNIQUE,
    load_ts timestamptz NOT NULL,
    record_source text NOT NULL
);
CREATE TABLE edv.link_event_user (
    link_hk char(32) PRIMARY KEY,
    event_hk char(32) NOT NULL REFERENCES edv.hub_event,
    user_hk char(32) NOT NULL REFERENCES edv.hub_user,
    load_ts timestamptz NOT NULL,
    record_source text NOT NULL
);
CREATE TABLE edv.sat_event (
    event_hk char(32) NOT NULL REFERENCES edv.hub_event,
    load_ts timestamptz NOT NULL,
    hash_diff char(32) NOT NULL,
    event_ts timestamptz,
    amount numeric(12, 2),
    city text,
    tags jsonb,
    record_source text NOT NULL,
    PRIMARY KEY (event_hk, load_ts)
);
CREATE TABLE edv.sat_user (
    user_hk char(32) NOT NULL REFERENCES edv.hub_user,
    load_ts timestamptz NOT NULL,
    hash_diff char(32) NOT NULL,
    city text,
    record_source text NOT NULL,
    PRIMARY KEY (user_hk, load_ts)
);
