-- A satellite row is added only when the attributes' hash differs from the key's latest row: history is
-- kept, and an unchanged source adds nothing.
INSERT INTO edv.sat_event (event_hk, load_ts, hash_diff, event_ts, amount, city, tags, record_source)
SELECT src.event_hk, now(), src.hash_diff, src.ts, src.amount, src.city, src.tags, 'intake.events'
FROM (
    SELECT md5(upper(trim(event_id))) AS event_hk, ts, amount, "user" ->> 'city' AS city, tags,
           md5(concat_ws('||', ts::text, amount::text, "user" ->> 'city', tags::text)) AS hash_diff
    FROM stg.events
) src
WHERE src.hash_diff IS DISTINCT FROM (
    SELECT latest.hash_diff FROM edv.sat_event latest
    WHERE latest.event_hk = src.event_hk ORDER BY latest.load_ts DESC LIMIT 1
);

-- A user's city as of their latest event in staging.
INSERT INTO edv.sat_user (user_hk, load_ts, hash_diff, city, record_source)
SELECT src.user_hk, now(), md5(coalesce(src.city, '')), src.city, 'intake.events'
FROM (
    SELECT DISTINCT ON (md5(upper(trim("user" ->> 'id'))))
           md5(upper(trim("user" ->> 'id'))) AS user_hk, "user" ->> 'city' AS city
    FROM stg.events
    WHERE "user" ->> 'id' IS NOT NULL
    ORDER BY md5(upper(trim("user" ->> 'id'))), ts DESC, event_id DESC
) src
WHERE md5(coalesce(src.city, '')) IS DISTINCT FROM (
    SELECT latest.hash_diff FROM edv.sat_user latest
    WHERE latest.user_hk = src.user_hk ORDER BY latest.load_ts DESC LIMIT 1
);
