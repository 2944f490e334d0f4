#!/usr/bin/env bash
# Installs what the full comparison needs beyond scripts/install-deps.sh
# (which already brings PostgreSQL, wrk and python3): Debian's
# prometheus-postgres-exporter (0.11.1 on Debian 12) and linux-perf for
# profiling. Idempotent. The exporter's Debian service is never used by the
# benchmark: where systemd runs, it is stopped and disabled right after the
# install (its default configuration has no data source).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

fresh=0
dpkg-query -W -f='${Status}' prometheus-postgres-exporter 2>/dev/null | grep -q 'install ok installed' || fresh=1
bash "$root/scripts/install-deps.sh" prometheus-postgres-exporter linux-perf
if [ "$fresh" -eq 1 ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" systemctl disable --now prometheus-postgres-exporter.service >/dev/null 2>&1 || true
fi
