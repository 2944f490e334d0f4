#!/bin/sh
# Reproduces a client connection leak against the compose PostgreSQL.
#
# Runs in the postgres image (for psql) under the compose profile `leak`:
#   docker-compose --profile leak up -d
# Every LEAK_STEP_SECONDS it opens one more session as application
# "leaky-app" until it holds LEAK_IDLE_IN_TX sessions left idle in
# transaction (BEGIN, then nothing) and LEAK_IDLE plain sessions that are
# never closed. Sessions that disappear (killed by `pgconn_exporter reset`,
# idle_in_transaction_session_timeout, a restart) are opened again, as a
# leaking application would. A heartbeat file feeds the healthcheck.
set -u

: "${PGHOST:=postgres}" "${PGUSER:=postgres}" "${PGDATABASE:=postgres}"
: "${LEAK_IDLE_IN_TX:=8}" "${LEAK_IDLE:=6}" "${LEAK_STEP_SECONDS:=30}"
: "${LEAK_APP:=leaky-app}"
HEARTBEAT=/tmp/loadgen.heartbeat
export PGHOST PGUSER PGDATABASE
if [ -z "${PGPASSWORD:-}" ] && [ -r /run/secrets/pg_password ]; then
  PGPASSWORD=$(cat /run/secrets/pg_password)
  export PGPASSWORD
fi

count() { # $1 = state
  PGAPPNAME=leaky-app-monitor psql -qAtX -c \
    "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$LEAK_APP' AND state = '$1'" 2>/dev/null
}

open_session() { # $1 = sql sent right after connecting; the session then stays open
  ( printf '%s\n' "$1"; exec sleep 2147483647 ) |
    PGAPPNAME=$LEAK_APP psql -qAtX >/dev/null 2>&1 &
}

echo "leak: target ${LEAK_IDLE_IN_TX} idle-in-transaction + ${LEAK_IDLE} idle sessions as ${LEAK_APP}, one every ${LEAK_STEP_SECONDS}s"
until pg_isready -q; do sleep 2; done
while :; do
  touch "$HEARTBEAT"
  in_tx=$(count 'idle in transaction')
  idle=$(count 'idle')
  if [ -z "$in_tx" ] || [ -z "$idle" ]; then
    echo "leak: cannot count sessions (server full or down?)"
  elif [ "$in_tx" -lt "$LEAK_IDLE_IN_TX" ]; then
    echo "leak: opening idle-in-transaction session $((in_tx + 1))/${LEAK_IDLE_IN_TX}"
    open_session 'BEGIN; SELECT txid_current();'
  elif [ "$idle" -lt "$LEAK_IDLE" ]; then
    echo "leak: opening idle session $((idle + 1))/${LEAK_IDLE}"
    open_session 'SELECT 1;'
  fi
  sleep "$LEAK_STEP_SECONDS"
done
