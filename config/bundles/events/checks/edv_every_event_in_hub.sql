-- Every staged event reached its hub and has a satellite row.
SELECT s.event_id
FROM stg.events s
LEFT JOIN edv.hub_event h ON h.event_hk = md5(upper(trim(s.event_id)))
WHERE h.event_hk IS NULL OR NOT EXISTS (SELECT 1 FROM edv.sat_event e WHERE e.event_hk = h.event_hk);
