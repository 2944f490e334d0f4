#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time: run.sh BINARY NAME SECONDS [libFuzzer flags...]
# Seeds come from fuzz/corpus/NAME; new inputs go to a scratch corpus, never
# into the source tree. Crash inputs are kept in ./fuzz-artifacts/.
set -euo pipefail
binary=$1 name=$2 seconds=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d "/tmp/pgconn-fuzz-$name-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p fuzz-artifacts
dict=()
[ -f "$here/$name.dict" ] && dict=("-dict=$here/$name.dict")
"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
  "${dict[@]}" -artifact_prefix="$PWD/fuzz-artifacts/$name-" "$@" "$scratch" "$here/corpus/$name"
