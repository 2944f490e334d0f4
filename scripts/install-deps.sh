#!/usr/bin/env bash
# Installs the Debian packages pgconn_exporter needs to build, run and test.
# Idempotent: does nothing when every package is present; otherwise one
# `apt-get update` and one install, never pulling recommended packages.
# Package names given as arguments are added to the list (bench/compare's
# installer uses this).
set -euo pipefail

packages=(
  cmake make g++ pkg-config git ca-certificates curl python3 python3-yaml
  libpq-dev libpqxx-dev prometheus-cpp-dev libcpp-httplib-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev libcrypt-dev openssl clang libclang-rt-14-dev
  postgresql-15 postgresql-contrib
  prometheus prometheus-alertmanager pgbouncer docker-compose
  tmux wrk jsonnet
  dpkg-dev file systemd   # scripts/package.sh (dpkg-shlibdeps), check-package.sh (systemd-analyze)
  "$@"
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
