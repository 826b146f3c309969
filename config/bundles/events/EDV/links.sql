INSERT INTO edv.link_event_user (link_hk, event_hk, user_hk, load_ts, record_source)
SELECT md5(upper(trim(s.event_id)) || '||' || upper(trim(s."user" ->> 'id'))),
       md5(upper(trim(s.event_id))), md5(upper(trim(s."user" ->> 'id'))), now(), 'intake.events'
FROM stg.events s
WHERE s."user" ->> 'id' IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM edv.link_event_user l
      WHERE l.link_hk = md5(upper(trim(s.event_id)) || '||' || upper(trim(s."user" ->> 'id')))
  );
