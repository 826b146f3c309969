-- Links name existing hub rows (the foreign keys say so too; this also catches a link without its user).
SELECT l.link_hk
FROM edv.link_event_user l
LEFT JOIN edv.hub_user u ON u.user_hk = l.user_hk
LEFT JOIN edv.hub_event e ON e.event_hk = l.event_hk
WHERE u.user_hk IS NULL OR e.event_hk IS NULL;
