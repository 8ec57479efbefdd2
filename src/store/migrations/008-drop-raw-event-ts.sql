-- Kiseki store, schema 8: raw_event loses its index on ts. No query reads
-- raw events by time (the aggregator reads them by (source, seq, idx), the
-- primary key), and keeping the index cost every ingested event a second
-- B-tree insertion: ~1-2.5 µs of server CPU per event of the ~5 µs an
-- insert costs. A time-based purge, if one comes, can bring it back.
drop index if exists raw_event_ts;
