#!/usr/bin/env bash
# Installs what the full comparison needs beyond scripts/install-deps.sh:
# Debian's prometheus-postgres-exporter (0.11.1 on Debian 12), wrk, and
# linux-perf for profiling. Idempotent. The exporter's Debian service is
# never used by the benchmark: where systemd runs, it is stopped and disabled
# right after the install (its default configuration has no data source).
set -euo pipefail

packages=(prometheus-postgres-exporter wrk linux-perf postgresql-15 postgresql-contrib python3)
missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "bench/compare/install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  "${sudo[@]}" systemctl disable --now prometheus-postgres-exporter.service >/dev/null 2>&1 || true
fi
