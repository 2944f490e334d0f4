#!/usr/bin/env bash
# CI stage (scripts/test.sh): builds the Debian package, installs it with apt
# as a user would, checks what it installed, runs it as the service would
# (scripts/check-package-hardened.sh), then removes and purges it.
# Fails on the first problem, naming it. Needs root or sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "check-package: $*" >&2; exit 1; }
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive

deb=$(bash scripts/package.sh | tail -n1)
version=$(sed -n 's/^project(pgconn_exporter VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ "$deb" = "dist/pgconn-exporter_${version}_$(dpkg --print-architecture).deb" ] || fail "unexpected package name $deb"

# The exporter is the only program: no test, benchmark or example binaries.
programs=$(dpkg-deb -c "$deb" | awk '$1 ~ /^-..x/ {print $NF}')
[ "$programs" = ./usr/bin/pgconn_exporter ] || fail "$deb carries other programs: $programs"
dpkg-deb -f "$deb" Depends | grep -q 'libpq5' || fail "$deb: Depends lacks libpq5 (dpkg-shlibdeps did not run?)"

"${sudo[@]}" apt-get install -y -qq --no-install-recommends --reinstall "./$deb" >/dev/null

[ "$(/usr/bin/pgconn_exporter --version)" = "pgconn_exporter $version" ] || fail "--version does not say $version"
pgconn_exporter check-config /etc/pgconn_exporter/pgconn.toml || fail "the shipped configuration is invalid"
for conffile in /etc/pgconn_exporter/pgconn.toml /etc/default/pgconn_exporter; do
  dpkg-query -W -f='${Conffiles}\n' pgconn-exporter | grep -q " $conffile " || fail "$conffile is not a conffile"
done
getent passwd pgconn_exporter >/dev/null || fail "system user pgconn_exporter missing"
getent group pgconn_exporter >/dev/null || fail "group pgconn_exporter missing"

unit=/lib/systemd/system/pgconn_exporter.service
systemd-analyze verify "$unit" || fail "systemd-analyze verify $unit"
# The hardening must keep the unit's exposure "OK": at most 2.0 of 10 (--threshold counts tenths).
systemd-analyze security --offline=yes --threshold=20 "$unit" >/dev/null || fail "$unit: exposure above 2.0 (systemd-analyze security --offline=yes $unit)"

share=/usr/share/pgconn-exporter
for f in alerts/pgconn.rules.yml alertmanager/alertmanager.example.yml monitoring-role.sql \
         dashboards/pgconn-overview.json dashboards/pgconn-applications.json dashboards/pgconn-pools.json; do
  [ -s "$share/$f" ] || fail "$share/$f missing"
done
promtool test rules "$share"/alerts/tests/*.yml >/dev/null || fail "promtool test rules $share/alerts/tests failed"
# The installed mixin renders on its own (no file outside $share/mixin).
jsonnet -e "(import '$share/mixin/mixin.libsonnet').prometheusAlerts" >/dev/null ||
  fail "$share/mixin/mixin.libsonnet does not render"

"${sudo[@]}" bash scripts/check-package-hardened.sh

# remove keeps the conffiles, purge deletes them.
"${sudo[@]}" apt-get remove -y -qq pgconn-exporter >/dev/null
[ ! -e /usr/bin/pgconn_exporter ] || fail "remove left /usr/bin/pgconn_exporter"
[ -e /etc/pgconn_exporter/pgconn.toml ] || fail "remove deleted the conffile"
"${sudo[@]}" apt-get purge -y -qq pgconn-exporter >/dev/null
[ ! -e /etc/pgconn_exporter/pgconn.toml ] || fail "purge left /etc/pgconn_exporter/pgconn.toml"
echo "check-package: $deb installs, runs, verifies and removes cleanly"
