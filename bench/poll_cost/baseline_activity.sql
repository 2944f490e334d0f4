-- The activity statement as of commit 032dadc (before issue 15: grouped by
-- application and state only), with the default thresholds: the baseline
-- bench/poll_cost compares the current statement against.
SELECT coalesce(application_name, ''),
       CASE state
         WHEN 'active' THEN 'active'
         WHEN 'idle' THEN 'idle'
         WHEN 'idle in transaction' THEN 'idle_in_transaction'
         WHEN 'idle in transaction (aborted)' THEN 'idle_in_transaction_aborted'
         WHEN 'fastpath function call' THEN 'fastpath_function_call'
         WHEN 'disabled' THEN 'disabled'
         ELSE 'unknown'
       END,
       count(*),
       max(extract(epoch FROM now_ts - backend_start)) FILTER (WHERE NOT monitoring),
       max(extract(epoch FROM now_ts - xact_start)) FILTER (WHERE NOT monitoring),
       max(extract(epoch FROM now_ts - state_change)) FILTER (WHERE iit),
       count(*) FILTER (WHERE NOT monitoring AND now_ts - backend_start > 1800.000000 * interval '1 second'),
       count(*) FILTER (WHERE iit AND now_ts - state_change > 60.000000 * interval '1 second'),
       (array_agg(pid ORDER BY backend_start) FILTER (WHERE NOT monitoring))[1:5],
       bool_or(monitoring)
FROM (SELECT a.*, clock_timestamp() AS now_ts, (coalesce(a.application_name, '') = 'pgconn_exporter' OR left(coalesce(a.application_name, ''), 16) = 'pgconn_exporter_') AS monitoring,
             coalesce(a.state LIKE 'idle in transaction%', false) AND NOT (coalesce(a.application_name, '') = 'pgconn_exporter' OR left(coalesce(a.application_name, ''), 16) = 'pgconn_exporter_') AS iit
      FROM pg_stat_activity a
      WHERE a.backend_type = 'client backend') s
GROUP BY 1, 2
