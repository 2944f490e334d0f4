#!/usr/bin/env bash
# The poll's server time at 5,000 client connections from 1,000 addresses,
# before and after the activity statement also grouped by client address,
# in one run (issue 15's budget: at most 20 % growth). A throwaway PostgreSQL 15 on loopback, run as
# postgres when started as root; everything is removed afterwards.
#   bash bench/poll_cost/run.sh [CONNECTIONS] [ADDRESSES]
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-5000}
addresses=${2:-1000}
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target poll_cost >/dev/null

dir=$(mktemp -d /tmp/pgconn-pollcost-XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$dir"
bin=/usr/lib/postgresql/15/bin
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
holder=
cleanup() {
  [ -n "$holder" ] && kill "$holder" 2>/dev/null || true
  as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
as_pg "$bin/initdb" -D "$dir/data" -A trust >/dev/null
echo "host all all 127.0.0.0/8 trust" | as_pg tee -a "$dir/data/pg_hba.conf" >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 120 start -o \
  "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=$((connections + 20)) -c shared_buffers=32MB" \
  >/dev/null

ulimit -n $((connections + 1024))
coproc HOLD { python3 bench/poll_cost/clients.py "$port" "$connections" "$addresses"; }
holder=$HOLD_PID
read -r ready <&"${HOLD[0]}"
[ "$ready" = ready ]
build/bench/poll_cost "host=127.0.0.1 port=$port user=postgres dbname=postgres" bench/poll_cost/baseline_activity.sql 40
