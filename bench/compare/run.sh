#!/usr/bin/env bash
# pgconn_exporter side by side with Debian's prometheus-postgres-exporter,
# against one throwaway PostgreSQL 15 on loopback (see bench.py for what is
# measured, docs/benchmarks.md for figures).
#
#   bash bench/compare/run.sh [--exporter PATH] [--quick] [bench.py options]
#
#   (default)  10, 1,000 and 5,000 client connections x 1 and 100 targets,
#              both exporters, wrk plain and gzip (Accept-Encoding: gzip, as
#              Prometheus scrapes), 10 s each per scenario; about 15 minutes.
#              --connections 200 for the figures of docs/benchmarks.md.
#   --quick    10 connections, 1 target, ours only, wrk 2 s: checks that the
#              benchmark runs and prints its table (registered in ctest).
#
# --exporter defaults to the first built binary among build-bench/, build/.
# The full run needs prometheus-postgres-exporter (bench/compare/install-deps.sh);
# it is started by hand on a private loopback port, never as the Debian service.
# Everything it starts is stopped, and its temporary folder removed, on exit,
# failure or Ctrl-C; --deadline (seconds) bounds the whole run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

exporter=""
quick=0
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --exporter) exporter="$2"; shift 2 ;;
    --exporter=*) exporter="${1#*=}"; shift ;;
    --quick) quick=1; shift ;;
    -h|--help) sed -n '2,19p' "$0"; python3 "$here/bench.py" --help; exit 0 ;;
    *) pass+=("$1"); shift ;;
  esac
done

if [ -z "$exporter" ]; then
  for candidate in "$root/build-bench/src/pgconn_exporter" "$root/build/src/pgconn_exporter"; do
    if [ -x "$candidate" ]; then exporter="$candidate"; break; fi
  done
fi
if [ -z "$exporter" ] || [ ! -x "$exporter" ]; then
  echo "run.sh: no pgconn_exporter binary; build it or pass --exporter PATH" >&2
  exit 2
fi

if [ "$quick" -eq 1 ]; then
  set -- --exporters ours --connections 10 --targets 1 --wrk-duration 2 --cost-window 3 --paced-scrapes 1 --deadline 100
else
  set -- --deadline 1800
fi
exec python3 "$here/bench.py" --exporter "$exporter" "$@" ${pass[@]+"${pass[@]}"}
