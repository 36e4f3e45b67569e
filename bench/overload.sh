#!/usr/bin/env bash
# Overload probe: 1,000 concurrent connections and 10,000 queues against a fresh FerryMQ, reporting memory per
# connection and per queue (live heap after full GC via jcmd, and RSS). Not part of mvn verify (minutes, and it
# needs the machine to itself for stable figures).
#   bench/overload.sh                         # CONNECTIONS=1000 QUEUES=10000 HEAP=1g PORT=5686
#   CONNECTIONS=200 QUEUES=2000 bench/overload.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONNECTIONS="${CONNECTIONS:-1000}"
QUEUES="${QUEUES:-10000}"
HEAP="${HEAP:-1g}"
PORT="${PORT:-5686}"
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
BROKER_PID=""
cleanup() {
  if [ -n "$BROKER_PID" ] && kill -0 "$BROKER_PID" 2>/dev/null; then
    kill "$BROKER_PID"
    for _ in $(seq 50); do kill -0 "$BROKER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$BROKER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

cp "$ROOT/ferrymq-server/target/ferrymq-server.jar" "$WORK/"
cp -r "$ROOT/ferrymq-server/target/lib" "$WORK/lib"
java "-Xmx$HEAP" -jar "$WORK/ferrymq-server.jar" server --amqp-port "$PORT" --bind 127.0.0.1 \
  --data-dir "$WORK/data" > "$WORK/broker.log" 2>&1 &
BROKER_PID=$!
for _ in $(seq 300); do
  (echo > "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  kill -0 "$BROKER_PID" 2>/dev/null || { cat "$WORK/broker.log" >&2; exit 1; }
  sleep 0.2
done

echo "FerryMQ pid $BROKER_PID, -Xmx$HEAP, $CONNECTIONS connections, $QUEUES queues"
timeout 600 java -Xmx512m -cp "$BENCH_LIB/*" "$ROOT/bench/overload/Overload.java" "$PORT" "$BROKER_PID" \
  "$CONNECTIONS" "$QUEUES"
ERRORS="$(grep -c -E ' ERROR ' "$WORK/broker.log" || true)"
echo "broker log: $ERRORS ERROR line(s)"
[ "$ERRORS" = 0 ] || grep -E ' ERROR ' "$WORK/broker.log" | head -20
