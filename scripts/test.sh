#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, integration
# against throwaway PostgreSQL servers, asset checks, short fuzz runs) through
# ctest, then builds, installs, checks and removes the Debian package
# (scripts/check-package.sh). Then, unless PGCONN_SANITIZERS=0, the sanitizer
# runs: unit and integration tests (and the exporter they start) under
# AddressSanitizer + UndefinedBehaviorSanitizer in build-asan, the pool tests
# under ThreadSanitizer in build-tsan. Extra arguments go to the first ctest only.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
(cd build && ctest --output-on-failure --timeout 600 "$@")
bash scripts/check-package.sh

[ "${PGCONN_SANITIZERS:-1}" = 0 ] && exit 0

# Every sanitizer report, also from exporter processes the tests start and
# stop, lands in $reports; any report fails the run even if the tests passed.
reports=$(mktemp -d /tmp/pgconn-sanitizers-XXXXXX)
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=1:second_deadlock_stack=1"

# sanitized BUILD_DIR SANITIZERS CTEST_LABEL_REGEX TARGET...
sanitized() {
  local dir=$1 sanitizers=$2 labels=$3
  shift 3
  local start=$SECONDS status=0
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DPGCONN_SANITIZE=$sanitizers" >/dev/null || return 1
  cmake --build "$dir" -j"$(nproc)" --target "$@" || return 1
  (cd "$dir" && ctest --output-on-failure --timeout 900 -L "$labels") || status=1
  echo "test.sh: $dir ($sanitizers, ctest -L '$labels') took $((SECONDS - start)) s" >&2
  return $status
}
status=0
sanitized build-asan "address;undefined" '^(unit|integration)$' unit_tests integration_tests pgconn_exporter || status=1
sanitized build-tsan thread pool pool_logic_tests pool_stress_tests pool_pg_tests || status=1

if compgen -G "$reports/*" >/dev/null; then
  echo "test.sh: sanitizer reports (in $reports):" >&2
  cat "$reports"/* >&2
  exit 1
fi
rm -rf "$reports"
exit $status
