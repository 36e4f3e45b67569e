#!/usr/bin/env bash
# Quorum-queue publish rate with confirms on a local 3-node FerryMQ cluster, next to the single-node durable
# classic queue of the same build in the same run (issue 17), with RabbitMQ PerfTest.
#
#   bench/quorum.sh                       # REPEATS=3, DURATION=20 s per run
#   RABBIT_URI=amqp://guest:guest@127.0.0.1:5699 bench/quorum.sh   # also a running RabbitMQ's quorum queue
#
# Environment (all optional): REPEATS=3 DURATION=20 SIZE=1024 PUBLISHERS="1 10" CONFIRM_WINDOW=100
#   BASE_PORT=5901 (AMQP n1..n3 = BASE..BASE+2, single node BASE+10; management +10000; Raft 7901..7903)
#   RABBIT_URI=     a RabbitMQ to measure too (a single RabbitMQ node runs a quorum queue with one member)
#   KEEP_WORK=1     keep the temp dir (data, logs)
# Writes bench/results/quorum.md and prints it.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
LIB="$BENCH_DIR/target/lib"
REPEATS="${REPEATS:-3}"
DURATION="${DURATION:-20}"
SIZE="${SIZE:-1024}"
PUBLISHERS="${PUBLISHERS:-1 10}"
CONFIRM_WINDOW="${CONFIRM_WINDOW:-100}"
BASE_PORT="${BASE_PORT:-5901}"
RAFT_BASE=$((BASE_PORT + 2000))
RABBIT_URI="${RABBIT_URI:-}"
JAVA_OPTS="$(sed 's/#.*//' "$ROOT/jvm.options" | xargs)"
WORK="$(mktemp -d /tmp/ferry-quorum.XXXXXX)"
RESULTS="$BENCH_DIR/results/quorum.md"
PIDS=()

log() { echo "[quorum.sh $(date +%H:%M:%S)] $*" >&2; }
stop_all() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
cleanup() { stop_all; [ "${KEEP_WORK:-0}" = 1 ] && log "kept $WORK" || rm -rf "$WORK"; }
trap cleanup EXIT

(cd "$ROOT" && ./ferrymq --version >/dev/null)   # builds if the sources changed
if ! [ -f "$LIB/.fetched" ] || [ "$BENCH_DIR/pom.xml" -nt "$LIB/.fetched" ]; then
  log "fetching RabbitMQ PerfTest with Maven"
  mvn -B -q -f "$BENCH_DIR/pom.xml" dependency:copy-dependencies >"$WORK/fetch.log" 2>&1 \
    || { cat "$WORK/fetch.log" >&2; exit 1; }
  touch "$LIB/.fetched"
fi

# start_node NAME AMQP_PORT [cluster args...]
start_node() {
  local name=$1 port=$2; shift 2
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$ROOT/ferrymq-server/target/ferrymq-server.jar" server --node-name "$name" \
    --bind 127.0.0.1 --amqp-port "$port" --management-port $((port + 10000)) --data-dir "$WORK/data/$name" "$@" \
    >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
await_api() {
  for _ in $(seq 1 120); do
    curl -sf -u guest:guest "http://127.0.0.1:$1/api/$2" >/dev/null 2>&1 && return 0; sleep 0.5
  done
  log "no answer from :$1/api/$2"; return 1
}

# perf URI QUEUE_ARGS PUBLISHERS -> prints the average confirmed publish rate and median/p99 confirm latency (ms)
perf() {
  local uri=$1 args=$2 pubs=$3 queue="bench-$RANDOM$RANDOM" out
  out="$(java -cp "$LIB/*" com.rabbitmq.perf.PerfTest -h "$uri" -u "$queue" -ad false -f persistent \
    ${args:+--queue-args "$args"} -x "$pubs" -y 0 -s "$SIZE" -c "$CONFIRM_WINDOW" -z "$DURATION" -i 5 2>&1)" || true
  local rate lat
  rate="$(grep -E "sending rate avg" <<<"$out" | grep -oE "[0-9]+ msg/s" | grep -oE "[0-9]+" | tail -1)"
  lat="$(grep -E "confirm latency min/median" <<<"$out" | tail -1 | grep -oE "[0-9]+/[0-9]+/[0-9]+/[0-9]+/[0-9]+ µs" \
    | awk -F/ '{printf "%.0f / %.0f", $2/1000, $5/1000}')"
  echo "${rate:-0}|${lat:-n/a}"
}

declare -A RATE LAT
record() { # KEY "rate|lat"
  RATE[$1]+="${2%%|*} "; LAT[$1]="${2#*|}"
}

for r in $(seq 1 "$REPEATS"); do
  log "repeat $r: single node, durable classic queue"
  rm -rf "$WORK/data"; start_node single $((BASE_PORT + 10)); await_api $((BASE_PORT + 10010)) overview
  for p in $PUBLISHERS; do record "classic-$p" "$(perf "amqp://guest:guest@127.0.0.1:$((BASE_PORT + 10))" "" "$p")"; done
  stop_all

  log "repeat $r: three nodes, quorum queue (publishing through n1)"
  rm -rf "$WORK/data"
  seeds="n1@127.0.0.1:$RAFT_BASE,n2@127.0.0.1:$((RAFT_BASE + 1)),n3@127.0.0.1:$((RAFT_BASE + 2))"
  for i in 1 2 3; do
    start_node "n$i" $((BASE_PORT + i - 1)) --cluster-port $((RAFT_BASE + i - 1)) --cluster-seeds "$seeds"
  done
  for i in 1 2 3; do await_api $((BASE_PORT + 10000 + i - 1)) overview; done
  sleep 3   # the metadata group elects its leader
  for p in $PUBLISHERS; do
    record "quorum-$p" "$(perf "amqp://guest:guest@127.0.0.1:$BASE_PORT" "x-queue-type=quorum" "$p")"
  done
  stop_all

  if [ -n "$RABBIT_URI" ]; then
    log "repeat $r: RabbitMQ at $RABBIT_URI, quorum queue"
    for p in $PUBLISHERS; do record "rabbitmq-quorum-$p" "$(perf "$RABBIT_URI" "x-queue-type=quorum" "$p")"; done
  fi
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : 0)}'; }
{
  echo "# Quorum queues: publish rate with confirms"
  echo
  echo "$(date -u +%Y-%m-%d) · $(git -C "$ROOT" rev-parse --short HEAD) · ${SIZE}-byte persistent messages, confirm window" \
       "$CONFIRM_WINDOW per publisher, ${DURATION} s runs, median of $REPEATS · $(nproc) cores · bench/quorum.sh"
  echo
  echo "| queue | publishers | msg/s (median) | runs | confirm latency median / p99 (ms, last run) |"
  echo "|---|---:|---:|---|---|"
  for kind in classic quorum rabbitmq-quorum; do
    for p in $PUBLISHERS; do
      key="$kind-$p"; [ -n "${RATE[$key]:-}" ] || continue
      case $kind in
        classic) label="FerryMQ, 1 node, durable classic" ;;
        quorum) label="FerryMQ, 3 nodes, quorum (3 members)" ;;
        *) label="RabbitMQ ($RABBIT_URI), quorum" ;;
      esac
      echo "| $label | $p | $(median <<<"${RATE[$key]}") | ${RATE[$key]% } | ${LAT[$key]} |"
    done
  done
} | tee "$RESULTS"
