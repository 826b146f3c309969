-- The bundle's schemas, one per layer. Applied once per database (schema mode): change nothing here, add a
-- V2 script instead.
CREATE SCHEMA IF NOT EXISTS stg;
CREATE SCHEMA IF NOT EXISTS edv;
CREATE SCHEMA IF NOT EXISTS dm;
