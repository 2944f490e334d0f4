#!/usr/bin/env bash
# A living demo on loopback, everything in one temporary folder:
#   PostgreSQL 15   throwaway server on 127.0.0.1:$PG_PORT, max_connections=20
#   workload        deploy/demo/workload.py: leaky-worker leaves sessions idle in
#                   transaction, growing-api's idle connections grow (14 at most)
#   exporter        pgconn_exporter on $LISTEN (deploy/demo/pgconn.toml)
#   Prometheus      on $PROMETHEUS_LISTEN, scraping every 5s, with the mixin's
#                   alerts rendered with `for: 15s` (mixin/mixin.libsonnet)
#   Alertmanager    on $ALERTMANAGER_LISTEN, alertmanager/alertmanager.yml's
#                   routes and inhibitions, receivers without integrations
# An alert fires in Prometheus within two minutes. Ctrl-C (or SIGTERM) stops
# every process it started and removes the folder.
#
# Environment (defaults in brackets):
#   PG_PORT [55432]  LISTEN [127.0.0.1:9188]
#   PROMETHEUS_LISTEN [127.0.0.1:9090]  ALERTMANAGER_LISTEN [127.0.0.1:9093]
#   PGCONN_EXPORTER_BIN  an already built exporter to run instead of building
#                        ./build's pgconn_exporter target (tests/demo uses the
#                        binary of the build tree under test)
# Packages come from scripts/install-deps.sh (a no-op when all are installed).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
PG_BIN=/usr/lib/postgresql/15/bin
PG_PORT=${PG_PORT:-55432}
LISTEN=${LISTEN:-127.0.0.1:9188}
PROMETHEUS_LISTEN=${PROMETHEUS_LISTEN:-127.0.0.1:9090}
ALERTMANAGER_LISTEN=${ALERTMANAGER_LISTEN:-127.0.0.1:9093}
ALERT_FOR=15s

fail() { echo "run-demo: $*" >&2; exit 2; }

# Loopback only: every listener must be 127.x.x.x:PORT with a private port.
check_port() { # NAME VALUE
  if ! [[ $2 =~ ^[0-9]+$ ]] || [ "$2" -lt 1024 ] || [ "$2" -gt 65535 ]; then
    fail "$1=$2: expected a port number between 1024 and 65535"
  fi
}
check_listen() { # NAME VALUE
  [[ $2 =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}:([0-9]+)$ ]] ||
    fail "$1=$2: expected a loopback address and port, such as 127.0.0.1:9188"
  check_port "$1" "${BASH_REMATCH[1]}"
}
check_port PG_PORT "$PG_PORT"
check_listen LISTEN "$LISTEN"
check_listen PROMETHEUS_LISTEN "$PROMETHEUS_LISTEN"
check_listen ALERTMANAGER_LISTEN "$ALERTMANAGER_LISTEN"
endpoints=("PG_PORT=127.0.0.1:$PG_PORT" "LISTEN=$LISTEN" "PROMETHEUS_LISTEN=$PROMETHEUS_LISTEN"
           "ALERTMANAGER_LISTEN=$ALERTMANAGER_LISTEN")
[ "$(printf '%s\n' "${endpoints[@]#*=}" | sed 's/.*://' | sort | uniq -d)" = "" ] ||
  fail "PG_PORT, LISTEN, PROMETHEUS_LISTEN and ALERTMANAGER_LISTEN must use different ports (${endpoints[*]})"

bash scripts/install-deps.sh

# Fail now, not after the build, when something else holds a port.
for endpoint in "${endpoints[@]}"; do
  python3 - "${endpoint#*=}" 2>/dev/null <<'EOF' || fail "${endpoint%%=*}: ${endpoint#*=} is already in use; choose another port"
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(port)))
EOF
done

if [ -n "${PGCONN_EXPORTER_BIN:-}" ]; then
  [ -x "$PGCONN_EXPORTER_BIN" ] || fail "PGCONN_EXPORTER_BIN=$PGCONN_EXPORTER_BIN is not an executable file"
  exporter=$PGCONN_EXPORTER_BIN
else
  # Only the exporter: the tests are not needed to run the demo.
  [ -f build/CMakeCache.txt ] || cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j"$(nproc)" --target pgconn_exporter
  exporter=$root/build/src/pgconn_exporter
fi

workdir=$(mktemp -d /tmp/pgconn-demo-XXXXXX)
chmod 755 "$workdir"
mkdir "$workdir/pg" "$workdir/socket" "$workdir/prometheus" "$workdir/alertmanager"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then # initdb and postgres refuse to run as root
  chown postgres:postgres "$workdir/pg" "$workdir/socket"
  as_pg=(runuser -u postgres --)
fi

# Every long-running process is started in its own session (setsid), so its
# pid is also its process group: stopping the group stops its children too
# (the workload's psql clients; PostgreSQL's backends end with its fast shutdown).
names=() pids=()
start() { # NAME COMMAND... ; output goes to $workdir/NAME.log
  local name=$1
  shift
  setsid "$@" </dev/null >"$workdir/$name.log" 2>&1 &
  names+=("$name") pids+=("$!")
}

stop_group() { # PID: SIGTERM, then SIGKILL after 10 s
  local pid=$1 i
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 -- "-$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "run-demo: process group $pid ignored SIGTERM for 10 s; killing it" >&2
  kill -KILL -- "-$pid" 2>/dev/null || true
}

cleanup() {
  trap - EXIT INT TERM
  set +e
  echo "run-demo: stopping"
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    if [ "${names[i]}" = postgres ]; then # a fast shutdown first: no crash recovery, no leftovers
      "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$workdir/pg/data" -m fast -w -t 15 stop >/dev/null 2>&1
    fi
    stop_group "${pids[i]}"
  done
  wait 2>/dev/null
  rm -rf "$workdir"
  echo "run-demo: stopped every process; removed $workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_until() { # SECONDS WHAT COMMAND... : polls every 0.5 s; fails with the log of what died
  local seconds=$1 what=$2 i j
  shift 2
  for ((i = 0; i < seconds * 2; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    for j in "${!pids[@]}"; do
      kill -0 "${pids[j]}" 2>/dev/null && continue
      tail -n 20 "$workdir/${names[j]}.log" >&2
      fail "${names[j]} exited while waiting for $what (its log is above)"
    done
    sleep 0.5
  done
  fail "timed out after ${seconds}s waiting for $what"
}

# --- Configuration first, so that a bad one stops the demo before anything runs.
# Prometheus: the mixin's alerts, every `for:` shortened.
# (JSON is YAML: the rendering is a valid rule file as it is.)
jsonnet -J "$root" -o "$workdir/pgconn.rules.yml" -e "((import 'mixin/mixin.libsonnet') +
  {_config+:: {alertFor: std.mapWithKey(function(name, duration) '$ALERT_FOR', super.alertFor)}}).prometheusAlerts"
promtool check rules "$workdir/pgconn.rules.yml" >"$workdir/promtool.log" 2>&1 ||
  { cat "$workdir/promtool.log" >&2; fail "promtool rejects the rules rendered from mixin/mixin.libsonnet"; }
sed -e "s/@LISTEN@/$LISTEN/" -e "s/@ALERTMANAGER_LISTEN@/$ALERTMANAGER_LISTEN/" deploy/demo/prometheus.yml \
  >"$workdir/prometheus.yml"
# Alertmanager: the shipped routes and inhibitions; receivers keep only
# their names, as there is nobody to page here (the UI shows every alert).
python3 - alertmanager/alertmanager.yml "$workdir/alertmanager.yml" <<'EOF'
import sys, yaml
with open(sys.argv[1]) as f:
    doc = yaml.safe_load(f)
doc["receivers"] = [{"name": r["name"]} for r in doc["receivers"]]
with open(sys.argv[2], "w") as f:
    yaml.safe_dump(doc, f, sort_keys=False)
EOF
sed "s/@PG_PORT@/$PG_PORT/" deploy/demo/pgconn.toml >"$workdir/pgconn.toml"
"$exporter" check-config "$workdir/pgconn.toml" >/dev/null || fail "the exporter rejects deploy/demo/pgconn.toml"

# --- PostgreSQL
"${as_pg[@]}" "$PG_BIN/initdb" -N -A trust -U postgres -E UTF8 --locale=C -D "$workdir/pg/data" >"$workdir/initdb.log" 2>&1 ||
  { cat "$workdir/initdb.log" >&2; fail "initdb failed"; }
start postgres "${as_pg[@]}" "$PG_BIN/postgres" -D "$workdir/pg/data" -c listen_addresses=127.0.0.1 -p "$PG_PORT" \
  -c unix_socket_directories="$workdir/socket" -c max_connections=20 -c fsync=off
wait_until 30 "PostgreSQL on 127.0.0.1:$PG_PORT" "$PG_BIN/pg_isready" -h "$workdir/socket" -p "$PG_PORT"
"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$workdir/socket" -p "$PG_PORT" -U postgres -d postgres -c "
  CREATE ROLE pgconn_monitor LOGIN CONNECTION LIMIT 5;
  GRANT pg_monitor, pg_signal_backend TO pgconn_monitor;
  CREATE ROLE demo_app LOGIN;" >/dev/null

# --- exporter, workload, Alertmanager, Prometheus
start exporter "$exporter" --config.file="$workdir/pgconn.toml" --web.listen-address="$LISTEN"
start workload python3 -u deploy/demo/workload.py --port "$PG_PORT" --socket-dir "$workdir/socket"
start alertmanager prometheus-alertmanager --config.file="$workdir/alertmanager.yml" \
  --storage.path="$workdir/alertmanager" --web.listen-address="$ALERTMANAGER_LISTEN" --cluster.listen-address=
start prometheus prometheus --config.file="$workdir/prometheus.yml" --storage.tsdb.path="$workdir/prometheus" \
  --web.listen-address="$PROMETHEUS_LISTEN"

wait_until 30 "the exporter on $LISTEN" curl -fsS "http://$LISTEN/health"
wait_until 30 "Alertmanager on $ALERTMANAGER_LISTEN" curl -fsS "http://$ALERTMANAGER_LISTEN/-/ready"
wait_until 60 "Prometheus on $PROMETHEUS_LISTEN" curl -fsS "http://$PROMETHEUS_LISTEN/-/ready"

# Debian's Prometheus serves its classic web UI only (/alerts is the React UI's path).
cat <<EOF

pgconn_exporter demo running (folder $workdir, logs there); Ctrl-C stops everything.
  Prometheus alerts  http://$PROMETHEUS_LISTEN/classic/alerts
  Alertmanager       http://$ALERTMANAGER_LISTEN/
  Exporter metrics   http://$LISTEN/metrics
  Exporter health    http://$LISTEN/health
  Runbook            http://$LISTEN/runbook
  PostgreSQL         psql -h 127.0.0.1 -p $PG_PORT -U postgres
Watch: as growing-api grows, PgconnIdleConnectionsGrowing and ...ExhaustionPredicted fire
within about 40 s, PgconnIdleInTransactionTooLong (leaky-worker) within a minute, the
count and utilization warnings by 70 s, PgconnConnectionLeakSuspected by 90 s.
List the leaked sessions (add --execute to terminate them; leaky-worker opens them again):
  $exporter reset --config.file=$workdir/pgconn.toml --target demo --application leaky-worker --state idle_in_transaction
EOF

# Until Ctrl-C, or until a process dies (its log is shown).
set +e
wait -n "${pids[@]}"
for i in "${!pids[@]}"; do
  kill -0 "${pids[i]}" 2>/dev/null && continue
  tail -n 20 "$workdir/${names[i]}.log" >&2
  echo "run-demo: ${names[i]} exited (its log is above)" >&2
done
exit 1
