#!/usr/bin/env bash
# Builds the Debian package dist/pgconn-exporter_<version>_<arch>.deb: a
# Release build of the exporter alone in ./build-package (no tests, no
# sanitizers), then cpack (packaging/CMakeLists.txt). Idempotent; prints the
# package's path. PGCONN_SKIP_DEPS=1 skips scripts/install-deps.sh (the
# Dockerfile's build stage installs its own, smaller list).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${PGCONN_SKIP_DEPS:-0}" = 1 ] || bash scripts/install-deps.sh
cmake -S . -B build-package -DCMAKE_BUILD_TYPE=Release -DPGCONN_BUILD_TESTS=OFF >/dev/null
cmake --build build-package -j"$(nproc)" --target pgconn_exporter
rm -f build-package/pgconn-exporter_*.deb
(cd build-package && cpack -G DEB >/dev/null)
mkdir -p dist
rm -f dist/pgconn-exporter_*.deb
mv build-package/pgconn-exporter_*.deb dist/
ls dist/pgconn-exporter_*.deb
