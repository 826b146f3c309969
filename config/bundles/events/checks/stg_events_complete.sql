-- Every staged event has a time, a user and a non-negative amount.
SELECT event_id FROM stg.events WHERE ts IS NULL OR "user" ->> 'id' IS NULL OR amount < 0;
