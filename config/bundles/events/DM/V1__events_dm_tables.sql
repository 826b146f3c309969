CREATE TABLE dm.daily_city_events (
    event_date date NOT NULL,
    city text NOT NULL,
    country text,
    events bigint NOT NULL,
    users bigint NOT NULL,
    amount_total numeric(14, 2) NOT NULL,
    PRIMARY KEY (event_date, city)
);
