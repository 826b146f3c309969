-- The mart counts every event of the vault once.
SELECT mart.total, vault.total
FROM (SELECT coalesce(sum(events), 0) AS total FROM dm.daily_city_events) mart,
     (SELECT count(*) AS total FROM edv.hub_event h
      JOIN edv.sat_event s ON s.event_hk = h.event_hk AND s.event_ts IS NOT NULL AND s.city IS NOT NULL
      WHERE s.load_ts = (SELECT max(load_ts) FROM edv.sat_event x WHERE x.event_hk = h.event_hk)) vault
WHERE mart.total <> vault.total;
