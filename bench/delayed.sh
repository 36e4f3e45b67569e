#!/usr/bin/env bash
# Delayed-message bench (issue 23): schedules N persistent 256-byte messages on a durable x-delayed-message
# exchange (due times spread at RATE msg/s, starting LEAD s after the start), reports the broker's live heap with
# all of them scheduled, kill -9s and restarts it (time to serve AMQP), then consumes them as they fall due and
# reports lateness p50/p99/max. Not part of mvn verify (minutes; figures need a quiet machine).
#   bench/delayed.sh                                   # N=1000000 RATE=10000 LEAD=150 HEAP=256m PORT=5687
#   N=10000000 RATE=10000 LEAD=1200 bench/delayed.sh   # the issue's full size (10M scheduled)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${N:-1000000}"
RATE="${RATE:-10000}"
LEAD="${LEAD:-150}"
HEAP="${HEAP:-256m}"
PORT="${PORT:-5687}"
BENCH_LIB="$ROOT/bench/target/lib"

"$ROOT/ferrymq" --version >/dev/null   # builds the broker jar if sources changed
if ! [ -f "$BENCH_LIB/.fetched" ] || [ "$ROOT/bench/pom.xml" -nt "$BENCH_LIB/.fetched" ]; then
  mvn -B -q -Dstyle.color=never -f "$ROOT/bench/pom.xml" dependency:copy-dependencies
  touch "$BENCH_LIB/.fetched"
fi
if (echo > "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "port $PORT is in use; set PORT" >&2
  exit 1
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp "$ROOT/ferrymq-server/target/ferrymq-server.jar" "$WORK/"
cp -r "$ROOT/ferrymq-server/target/lib" "$WORK/lib"
echo "FerryMQ delayed bench: N=$N RATE=$RATE/s LEAD=${LEAD}s HEAP=$HEAP"
# the bench kills its own broker (kill -9, then SIGTERM at the end); timeout bounds the whole run
timeout $((LEAD + N / RATE + 600)) java -Xmx1g -cp "$BENCH_LIB/*" "$ROOT/bench/delayed/DelayedBench.java" \
  "$WORK/ferrymq-server.jar" "$WORK" "$PORT" "$N" "$RATE" "$LEAD" "$HEAP"
ERRORS="$(grep -c -E ' ERROR ' "$WORK/broker.log" || true)"
echo "broker log: $ERRORS ERROR line(s)"
[ "$ERRORS" = 0 ] || grep -E ' ERROR ' "$WORK/broker.log" | head -20
