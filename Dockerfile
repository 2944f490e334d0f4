# syntax=docker/dockerfile:1
# pgconn_exporter image: the build stage makes the Debian package with
# scripts/package.sh, the runtime stage installs that same package, so image
# and package cannot drift: same binary, same /etc/pgconn_exporter, same
# unprivileged user, runtime libraries from the package's Depends.
#
#   docker build -t pgconn_exporter .
#   docker run --rm -p 9188:9188 -v $PWD/deploy/pgconn.toml:/etc/pgconn_exporter/pgconn.toml:ro pgconn_exporter
#
# The packaged /etc/pgconn_exporter/pgconn.toml listens on 127.0.0.1 and reads
# a local Unix socket: mount your own (listen_address "0.0.0.0:9188") over it.

FROM debian:bookworm AS build
# The exporter's build dependencies (as in scripts/install-deps.sh) plus
# dpkg-dev and file for cpack's dpkg-shlibdeps; no test packages, since
# package.sh builds with PGCONN_BUILD_TESTS=OFF.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      cmake make g++ pkg-config ca-certificates dpkg-dev file \
      libpq-dev libpqxx-dev prometheus-cpp-dev libtomlplusplus-dev \
      libssl-dev libcrypt-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY src ./src
COPY packaging ./packaging
COPY alerts ./alerts
COPY dashboards ./dashboards
COPY alertmanager ./alertmanager
COPY mixin ./mixin
COPY docs/monitoring-role.sql docs/runbook.md ./docs/
COPY scripts/package.sh ./scripts/
RUN PGCONN_SKIP_DEPS=1 bash scripts/package.sh

FROM debian:bookworm-slim
COPY --from=build /src/dist/ /tmp/dist/
# curl: the HEALTHCHECK.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl /tmp/dist/pgconn-exporter_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/dist \
 && pgconn_exporter --version
USER pgconn_exporter:pgconn_exporter
EXPOSE 9188
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:9188/health >/dev/null || exit 1
ENTRYPOINT ["/usr/bin/pgconn_exporter"]
CMD ["--config.file=/etc/pgconn_exporter/pgconn.toml"]
