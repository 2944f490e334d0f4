#!/usr/bin/env bash
# Part of scripts/check-package.sh, with the package installed, as root: runs
# /usr/bin/pgconn_exporter as the service would, without a systemd PID 1 to
# apply the unit. It emulates what can be emulated: user pgconn_exporter, no
# new privileges, no capabilities, every file system read-only
# (ProtectSystem=strict), empty /home, /root, /run/user (ProtectHome) and a
# private /tmp. The seccomp filter and MemoryDenyWriteExecute are not applied.
# The configuration is the installed one with only the socket directory and
# port changed: a throwaway PostgreSQL 15 with peer authentication and the
# role the file tells the operator to create.
set -euo pipefail

fail() { echo "check-package-hardened: $*" >&2; exit 1; }
pgbin=/usr/lib/postgresql/15/bin
# Under /run: the exporter's /tmp is private, so neither socket nor config may live there.
work=$(mktemp -d /run/pgconn-hardened-XXXXXX)
data=$(mktemp -d /tmp/pgconn-hardened-data-XXXXXX)
exporter=
cleanup() {
  [ -z "$exporter" ] || kill "$exporter" 2>/dev/null || true
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$data/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work" "$data"
}
trap cleanup EXIT
chmod 0755 "$work"
chown postgres "$work" "$data"

read -r pg_port http_port < <(python3 -c '
import socket
ports = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ports.append(s.getsockname()[1]); s.close()
print(*ports)')

runuser -u postgres -- "$pgbin/initdb" -D "$data/pg" -A peer >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$data/pg" -l "$data/log" -w -t 30 \
  -o "-p $pg_port -k $work -c listen_addresses=''" start >/dev/null || fail "PostgreSQL did not start: $(cat "$data/log")"
runuser -u postgres -- psql -X -q -h "$work" -p "$pg_port" -d postgres \
  -c "CREATE ROLE pgconn_exporter LOGIN CONNECTION LIMIT 3" -c "GRANT pg_monitor TO pgconn_exporter"

config=$work/pgconn.toml
sed "s#host=/run/postgresql\"#host=$work\&port=$pg_port\"#" /etc/pgconn_exporter/pgconn.toml >"$config"
grep -q "host=$work&port=$pg_port" "$config" || fail "no dsn with host=/run/postgresql in /etc/pgconn_exporter/pgconn.toml"
chmod 0644 "$config"

# unshare without --fork execs, so $! is the exporter itself.
unshare --mount --propagation private bash -c '
  set -e
  for m in $(awk "{print \$2}" /proc/self/mounts | sort -u); do
    case $m in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac
    mount -o remount,bind,ro "$m"
  done
  for m in /home /root /run/user /tmp; do
    if [ -d "$m" ]; then mount -t tmpfs -o mode=0755 tmpfs "$m"; fi
  done
  exec setpriv --reuid pgconn_exporter --regid pgconn_exporter --clear-groups \
    --no-new-privs --bounding-set=-all --inh-caps=-all \
    /usr/bin/pgconn_exporter --config.file="$0" --web.listen-address="127.0.0.1:$1"' "$config" "$http_port" \
  2>"$data/exporter.log" &
exporter=$!

metrics() { curl -fsS --max-time 2 "http://127.0.0.1:$http_port/metrics" 2>/dev/null; }
up=0
for _ in $(seq 1 40); do
  if metrics | grep -qx 'pgconn_up{target="local"} 1'; then up=1; break; fi
  kill -0 "$exporter" 2>/dev/null || fail "the exporter exited under the restrictions: $(cat "$data/exporter.log")"
  sleep 0.25
done
[ "$up" = 1 ] || fail "pgconn_up{target=\"local\"} is not 1 within 10 s: $(cat "$data/exporter.log")"

status=/proc/$exporter/status
grep -qx $'NoNewPrivs:\t1' "$status" || fail "the exporter may gain privileges"
grep -qx $'CapEff:\t0000000000000000' "$status" || fail "the exporter holds capabilities"
[ "$(stat -c %U "/proc/$exporter")" = pgconn_exporter ] || fail "the exporter does not run as pgconn_exporter"
touch_result=$(nsenter -t "$exporter" -m touch /etc/pgconn-hardened-probe 2>&1 || true)
grep -q 'Read-only file system' <<<"$touch_result" || fail "/etc is writable in the exporter's namespace"

kill -HUP "$exporter"
reloaded=0
for _ in $(seq 1 20); do
  if grep -q 'msg="configuration reloaded"' "$data/exporter.log"; then reloaded=1; break; fi
  sleep 0.25
done
[ "$reloaded" = 1 ] || fail "SIGHUP did not reload the configuration"

kill -TERM "$exporter"
code=0
wait "$exporter" || code=$?
exporter=
[ "$code" = 0 ] || fail "the exporter exited with $code after SIGTERM"
echo "check-package-hardened: the installed exporter runs restricted as pgconn_exporter, reloads and stops"
