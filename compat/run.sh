#!/usr/bin/env bash
# FerryMQ client-compatibility suite: pika + kombu scripts against a freshly started broker.
# Usage: bash compat/run.sh            (env: AMQP_PORT to pick a port, SCRIPT_TIMEOUT seconds per script)
set -u

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$HERE/../ferrymq-server/target/ferrymq-server.jar"
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
SCRIPT_TIMEOUT="${SCRIPT_TIMEOUT:-60}"

if ! "$PY" -c 'import pika, kombu' 2>/dev/null; then
  echo "installing python3-pika python3-kombu with apt-get..."
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq python3-pika python3-kombu || {
    echo "ERROR: could not install python3-pika/python3-kombu" >&2; exit 2; }
fi

if [ ! -f "$JAR" ]; then
  echo "ERROR: $JAR not found; run ./ferrymq server once or mvn -B package -DskipTests" >&2
  exit 2
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

PORT="${AMQP_PORT:-56720}"
for _ in $(seq 1 50); do
  port_in_use "$PORT" || break
  PORT=$((PORT + 1))
done
if port_in_use "$PORT"; then echo "ERROR: no free port found" >&2; exit 2; fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ferrymq-compat.XXXXXX")"
LOG="$WORK/broker.log"
java -jar "$JAR" server --amqp-port "$PORT" --data-dir "$WORK/data" >"$LOG" 2>&1 &
BROKER_PID=$!

stop_broker() {
  if [ -n "${BROKER_PID:-}" ] && kill -0 "$BROKER_PID" 2>/dev/null; then
    kill "$BROKER_PID" 2>/dev/null
    wait "$BROKER_PID" 2>/dev/null
  fi
  BROKER_PID=""
}
trap stop_broker EXIT INT TERM

up=0
for _ in $(seq 1 150); do
  if ! kill -0 "$BROKER_PID" 2>/dev/null; then break; fi
  if port_in_use "$PORT"; then up=1; break; fi
  sleep 0.2
done
if [ "$up" -ne 1 ]; then
  echo "ERROR: broker did not start listening on port $PORT; log:" >&2
  cat "$LOG" >&2
  exit 2
fi
echo "broker pid $BROKER_PID on port $PORT, log $LOG"

passed=0; failed=0; failed_names=()
cd "$HERE"
for script in pika_*.py kombu_*.py; do
  [ -f "$script" ] || continue
  out="$WORK/${script%.py}.out"
  if AMQP_PORT="$PORT" timeout -k 5 "$SCRIPT_TIMEOUT" "$PY" "$script" >"$out" 2>&1; then
    passed=$((passed + 1)); echo "PASS $script"
  else
    rc=$?
    failed=$((failed + 1)); failed_names+=("$script")
    [ "$rc" -eq 124 ] && echo "FAIL $script (timed out after ${SCRIPT_TIMEOUT}s)" || echo "FAIL $script (exit $rc)"
    sed 's/^/    /' "$out" | tail -n 30
  fi
done

stop_broker
if [ "$failed" -gt 0 ]; then
  echo "failed: ${failed_names[*]} (broker log kept at $LOG)"
  grep -E 'WARN|ERROR|Exception' "$LOG" | tail -n 20 | sed 's/^/    broker: /'
else
  rm -rf "$WORK"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
