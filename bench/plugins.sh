#!/usr/bin/env bash
# Benches of the built-in plugins (issue 23); see bench/plugins/PluginsBench.java and docs/delayed-and-dedup.md.
# MODE=delayed: schedules N persistent 256-byte messages on a durable x-delayed-message exchange (due times spread
# at RATE msg/s, starting LEAD s after the start), reports the broker's live heap with all of them scheduled,
# kill -9s and restarts it (time to serve AMQP), then consumes them as they fall due and reports lateness.
# MODE=dedup: confirmed publish rate to a fanout vs a deduplication exchange (N distinct identities, cache size N)
# and the broker's live heap with the full cache. Not part of mvn verify (minutes; figures need a quiet machine).
#   bench/plugins.sh                                     # MODE=delayed N=1000000 RATE=10000 LEAD=240 HEAP=256m
#   N=10000000 RATE=10000 LEAD=1200 bench/plugins.sh     # the issue's full size (10M scheduled)
#   MODE=dedup N=1000000 bench/plugins.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODE="${MODE:-delayed}"
N="${N:-1000000}"
RATE="${RATE:-10000}"
LEAD="${LEAD:-240}"
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
echo "FerryMQ plugins bench: MODE=$MODE N=$N RATE=$RATE/s LEAD=${LEAD}s HEAP=$HEAP"
# the bench kills its own broker (kill -9, then SIGTERM at the end); timeout bounds the whole run
timeout $((LEAD + N / RATE + 600)) java -Xmx1g -cp "$BENCH_LIB/*" "$ROOT/bench/plugins/PluginsBench.java" \
  "$MODE" "$WORK/ferrymq-server.jar" "$WORK" "$PORT" "$N" "$RATE" "$LEAD" "$HEAP"
ERRORS="$(grep -c -E ' ERROR ' "$WORK/broker.log" || true)"
echo "broker log: $ERRORS ERROR line(s)"
[ "$ERRORS" = 0 ] || grep -E ' ERROR ' "$WORK/broker.log" | head -20
