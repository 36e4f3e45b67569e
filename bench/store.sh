#!/usr/bin/env bash
# Store benchmark for FerryMQ alone (issue 4): deep-queue heap, restart time, persistent publish rates.
#
#   bench/store.sh                      # 2,000,000 x 1 KB persistent messages (takes several minutes)
#   MESSAGES=200000 bench/store.sh      # smaller run
#
# Steps: start FerryMQ (-Xmx512m, empty temp data dir) -> publish MESSAGES/2 persistent 1 KB messages with
# confirms and no consumer -> graceful restart, timed (recovery of MESSAGES/2) -> publish the second half ->
# heap in use after a full GC (jcmd) with MESSAGES queued -> kill -9 and restart, timed -> drain with one
# consumer. Prints a markdown table and writes it to bench/results/store.md.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
MESSAGES="${MESSAGES:-2000000}"
PORT="${PORT:-5687}"
JAVA_OPTS="${FERRY_JAVA_OPTS:--Xmx512m}"
HALF=$((MESSAGES / 2))
WORK="$(mktemp -d /tmp/ferrymq-store-bench.XXXXXX)"
JAR="$ROOT/ferrymq-server/target/ferrymq-server.jar"
LIB="$BENCH_DIR/target/lib"
PID=""

cleanup() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q -DskipTests package)
[ -f "$LIB/.fetched" ] || { mvn -B -q -f "$BENCH_DIR/pom.xml" dependency:copy-dependencies; touch "$LIB/.fetched"; }

STARTUP_SECONDS=""
start_broker() { # sets PID, and STARTUP_SECONDS to the time until the AMQP port accepts connections
  local started=$(date +%s.%N)
  java $JAVA_OPTS -jar "$JAR" server --amqp-port "$PORT" --bind 127.0.0.1 --data-dir "$WORK/data" \
    >> "$WORK/broker.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 1200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
      STARTUP_SECONDS=$(awk -v a="$(date +%s.%N)" -v b="$started" 'BEGIN { printf "%.1f", a - b }'); return; fi
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/broker.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "broker did not start" >&2; exit 1
}

perftest() { timeout 1800 java -Xmx1g -cp "$LIB/*" com.rabbitmq.perf.PerfTest -h "amqp://guest:guest@127.0.0.1:$PORT" "$@" 2>&1; }
rate() { grep -oP "$1 rate avg: \K[0-9]+" | tail -1; }

publish() { # $1 count, $2 producers
  perftest -x "$2" -y 0 -s 1000 -f persistent -c 100 -u deep --auto-delete false -C "$(( $1 / $2 ))" \
    | tee -a "$WORK/perftest.log" | rate sending
}

heap_used_mb() {
  jcmd "$PID" GC.run >/dev/null
  jcmd "$PID" GC.heap_info | grep -oP 'used \K[0-9]+(?=K)' | head -1 | awk '{printf "%.0f", $1/1024}'
}

echo "store bench: $MESSAGES messages, work dir $WORK" >&2
start_broker
rate_1=$(publish "$HALF" 1)
kill -TERM "$PID"; wait "$PID" || true
start_broker; restart_graceful=$STARTUP_SECONDS
rate_10=$(publish "$HALF" 10)
heap=$(heap_used_mb)
rss=$(grep VmRSS "/proc/$PID/status" | awk '{printf "%.0f", $2/1024}')
disk=$(du -sm "$WORK/data" | cut -f1)
kill -9 "$PID"; wait "$PID" 2>/dev/null || true
start_broker; restart_crash=$STARTUP_SECONDS
recovered=$(grep -oP 'and \K[0-9]+(?= message\(s\))' "$WORK/broker.log" | tail -1)
drain=$(perftest -x 0 -y 1 -f persistent -q 1000 --multi-ack-every 500 -u deep --auto-delete false -D "$MESSAGES" --exit-when empty \
  | tee -a "$WORK/perftest.log" | rate receiving)
kill -TERM "$PID"; wait "$PID" || true; PID=""

mkdir -p "$BENCH_DIR/results"
{
  echo "| measure | value |"
  echo "|---|---|"
  echo "| persistent publish, confirms (-c 100), 1 KB, 1 producer | ${rate_1} msg/s |"
  echo "| persistent publish, confirms (-c 100), 1 KB, 10 producers | ${rate_10} msg/s |"
  echo "| graceful restart with $HALF messages queued (until AMQP port open) | ${restart_graceful} s |"
  echo "| restart after kill -9 with $MESSAGES messages queued | ${restart_crash} s ($recovered recovered) |"
  echo "| heap in use after full GC, $MESSAGES messages queued (-Xmx512m) | ${heap} MB ($(( heap * 1024 * 1024 / MESSAGES )) bytes/message) |"
  echo "| broker RSS with $MESSAGES queued | ${rss} MB |"
  echo "| data dir with $MESSAGES queued | ${disk} MB |"
  echo "| drain, 1 consumer, prefetch 1000, multi-ack 500 | ${drain} msg/s |"
} | tee "$BENCH_DIR/results/store.md"
