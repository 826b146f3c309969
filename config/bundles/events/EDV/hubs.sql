-- Insert-only: a business key already in its hub is never written again, so a re-run adds nothing.
INSERT INTO edv.hub_event (event_hk, event_id, load_ts, record_source)
SELECT md5(upper(trim(s.event_id))), s.event_id, now(), 'intake.events'
FROM stg.events s
WHERE NOT EXISTS (SELECT 1 FROM edv.hub_event h WHERE h.event_hk = md5(upper(trim(s.event_id))));

INSERT INTO edv.hub_user (user_hk, user_id, load_ts, record_source)
SELECT DISTINCT md5(upper(trim(s."user" ->> 'id'))), s."user" ->> 'id', now(), 'intake.events'
FROM stg.events s
WHERE s."user" ->> 'id' IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM edv.hub_user h WHERE h.user_hk = md5(upper(trim(s."user" ->> 'id'))));
