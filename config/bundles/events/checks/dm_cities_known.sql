-- Every city of the mart is in the reference data.
SELECT event_date, city FROM dm.daily_city_events m
WHERE NOT EXISTS (SELECT 1 FROM stg.ref_city r WHERE r.city = m.city);
