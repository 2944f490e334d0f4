# syntax=docker/dockerfile:1
# pgconn_exporter image: built from Debian packages only (the same names as
# scripts/install-deps.sh), runs as an unprivileged user.
#
#   docker build -t pgconn_exporter .
#   docker run --rm -p 9188:9188 -v $PWD/deploy/pgconn.toml:/etc/pgconn/pgconn.toml:ro pgconn_exporter

FROM debian:bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      cmake make g++ pkg-config ca-certificates \
      libpq-dev libpqxx-dev prometheus-cpp-dev libcpp-httplib-dev libtomlplusplus-dev \
      libgtest-dev libgmock-dev libbenchmark-dev \
 && rm -rf /var/lib/apt/lists/*
# The top-level CMakeLists.txt configures tests/, examples/, bench/ and
# fuzz/ unconditionally, hence their sources and the gtest/benchmark
# packages; only the exporter target is built. docs/runbook.md is compiled
# in (served at /runbook).
WORKDIR /src
COPY CMakeLists.txt ./
COPY src ./src
COPY tests ./tests
COPY examples ./examples
COPY bench ./bench
COPY fuzz ./fuzz
COPY docs/runbook.md ./docs/runbook.md
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release \
 && cmake --build build --target pgconn_exporter -j"$(nproc)" \
 && install -D -m 0755 "$(find build -type f -name pgconn_exporter -perm -u+x | head -n1)" /out/pgconn_exporter \
 && strip /out/pgconn_exporter

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates curl \
      libpq5 libpqxx-6.4 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 \
      libcpp-httplib0.11 libtomlplusplus3 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system pgconn \
 && useradd --system --gid pgconn --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pgconn
COPY --from=build /out/pgconn_exporter /usr/local/bin/pgconn_exporter
# Fail the build, not the first start, when a runtime library is missing.
RUN ! ldd /usr/local/bin/pgconn_exporter | grep 'not found'
USER pgconn:pgconn
EXPOSE 9188
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:9188/health >/dev/null || exit 1
ENTRYPOINT ["/usr/local/bin/pgconn_exporter"]
CMD ["--config.file=/etc/pgconn/pgconn.toml"]
