-- A least-privilege role for pgconn_exporter.
-- pg_monitor lets it see every session's state in pg_stat_activity (without it, other
-- sessions show state "unknown"); CONNECTION LIMIT keeps it from ever holding more than
-- its one persistent connection plus the optional connect probe.
CREATE ROLE pgconn_monitor LOGIN PASSWORD 'change-me' CONNECTION LIMIT 3;
GRANT pg_monitor TO pgconn_monitor;
-- The exporter's sessions run with default_transaction_read_only = on; it needs no other rights.
-- PostgreSQL 16+: let it connect into the reserved slots when the server is full.
-- GRANT pg_use_reserved_connections TO pgconn_monitor;
-- Only for `pgconn_exporter reset --execute` (run by an operator, not by the daemon):
-- GRANT pg_signal_backend TO pgconn_operator;
