-- The daily mart from the vault's current satellite rows. Rows whose figures did not change are not
-- rewritten, so a re-run leaves the mart as it was.
INSERT INTO dm.daily_city_events AS mart (event_date, city, country, events, users, amount_total)
SELECT (s.event_ts AT TIME ZONE 'UTC')::date, s.city, r.country, count(*), count(DISTINCT l.user_hk),
       coalesce(sum(s.amount), 0)
FROM edv.hub_event h
JOIN LATERAL (
    SELECT * FROM edv.sat_event latest WHERE latest.event_hk = h.event_hk ORDER BY latest.load_ts DESC LIMIT 1
) s ON true
LEFT JOIN edv.link_event_user l ON l.event_hk = h.event_hk
LEFT JOIN stg.ref_city r ON r.city = s.city
WHERE s.event_ts IS NOT NULL AND s.city IS NOT NULL
GROUP BY 1, 2, 3
ON CONFLICT (event_date, city) DO UPDATE
SET country = excluded.country, events = excluded.events, users = excluded.users,
    amount_total = excluded.amount_total
WHERE (mart.country, mart.events, mart.users, mart.amount_total)
      IS DISTINCT FROM (excluded.country, excluded.events, excluded.users, excluded.amount_total);
