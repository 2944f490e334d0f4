#!/usr/bin/env bash
# Builds the exporter, starts a throwaway PostgreSQL 15 on a private loopback
# port with its data in a temporary folder, and runs the exporter against it.
# Ctrl-C stops both and removes the data folder.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

PG_BIN=/usr/lib/postgresql/15/bin
PG_PORT=${PG_PORT:-55432}
LISTEN=${LISTEN:-127.0.0.1:9188}
workdir=$(mktemp -d /tmp/pgconn-demo-XXXXXX)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$workdir"
  as_pg=(runuser -u postgres --)
fi

cleanup() {
  trap - EXIT INT TERM
  [ -n "${exporter_pid:-}" ] && kill "$exporter_pid" 2>/dev/null && wait "$exporter_pid" 2>/dev/null
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$workdir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
  echo "stopped; removed $workdir"
}
trap cleanup EXIT INT TERM

"${as_pg[@]}" "$PG_BIN/initdb" -N -A trust -U postgres -D "$workdir/data" >/dev/null
"${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$workdir -c max_connections=20" start >/dev/null

echo "PostgreSQL 15 on 127.0.0.1:$PG_PORT (max_connections=20), data in $workdir"
echo "metrics: http://$LISTEN/metrics   health: http://$LISTEN/health   (Ctrl-C to stop)"
DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres" \
  ./build/src/pgconn_exporter --web.listen-address="$LISTEN" &
exporter_pid=$!
wait "$exporter_pid"
