#!/usr/bin/env bash
# Embedded FerryMQ start-up figures (issue 22): cold start of FerryMQBroker in one JVM (median and p95 over 50),
# heap a running broker adds, resetAll() with 100 queues (bench/embedded/EmbeddedStartBench.java); then, for
# comparison, how long a rabbitmq-server node takes to start on this machine (a throw-away node with its own name,
# ports and directories, as bench/compare.sh starts it; any other RabbitMQ running here is left alone).
#   bench/embedded.sh                      # STARTS=50 QUEUES=100 ROUNDS=20 RABBIT_STARTS=3
#   RABBIT_STARTS=0 bench/embedded.sh      # FerryMQ only
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STARTS="${STARTS:-50}"
QUEUES="${QUEUES:-100}"
ROUNDS="${ROUNDS:-20}"
RABBIT_STARTS="${RABBIT_STARTS:-3}"
RABBIT_PORT="${RABBIT_PORT:-5687}"
RABBIT_DIST_PORT="${RABBIT_DIST_PORT:-25687}"
HEAP="${HEAP:-512m}"

# The embedded module and its runtime class path (target/ only: nothing is installed into ~/.m2).
(cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests -pl ferrymq-embedded -am package \
  dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -DincludeScope=runtime)
# The server's classes rather than its jar, whose manifest adds target/lib (logback, picocli) to the class path.
CP="$ROOT/ferrymq-embedded/target/classes:$(sed "s#ferrymq-server/target/ferrymq-server.jar#ferrymq-server/target/classes#" \
  "$ROOT/ferrymq-embedded/target/classpath.txt")"

echo "== embedded FerryMQ (java -Xmx$HEAP, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
java "-Xmx$HEAP" -cp "$CP" "$ROOT/bench/embedded/EmbeddedStartBench.java" "$STARTS" "$QUEUES" "$ROUNDS"

[ "$RABBIT_STARTS" -gt 0 ] || exit 0
if [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
  echo "rabbitmq-server is not installed (apt-get install -y rabbitmq-server): its start time is not measured"
  exit 0
fi
for port in "$RABBIT_PORT" "$RABBIT_DIST_PORT"; do
  if (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is in use; set RABBIT_PORT/RABBIT_DIST_PORT" >&2; exit 1; fi
done
WORK="$(mktemp -d)"
NODE="ferrystart-$$@localhost"
LAUNCHER=""
stop_rabbit() {
  HOME="$WORK/home" timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl -n "$NODE" stop >/dev/null 2>&1 || true
  if [ -n "$LAUNCHER" ]; then kill -TERM -- "-$LAUNCHER" 2>/dev/null || true; fi
  LAUNCHER=""
}
trap 'stop_rabbit; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/home"
echo "== rabbitmq-server $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null) (node $NODE, port $RABBIT_PORT, no plugins)"
for i in $(seq "$RABBIT_STARTS"); do
  dir="$WORK/run$i"; mkdir -p "$dir/log"
  echo '[].' > "$dir/enabled_plugins"
  printf 'listeners.tcp.default = 127.0.0.1:%s\n' "$RABBIT_PORT" > "$dir/rabbitmq.conf"
  t0=$(date +%s%N)
  HOME="$WORK/home" RABBITMQ_NODENAME="$NODE" RABBITMQ_USE_LONGNAME=false \
  RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$RABBIT_PORT" RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT" \
  RABBITMQ_MNESIA_BASE="$dir/data" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/rabbit.pid" \
  RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
    setsid /usr/lib/rabbitmq/bin/rabbitmq-server >"$dir/broker.log" 2>&1 </dev/null &
  LAUNCHER=$!
  for _ in $(seq 1200); do     # up to 120 s for the AMQP port
    (echo > "/dev/tcp/127.0.0.1/$RABBIT_PORT") 2>/dev/null && break
    kill -0 "$LAUNCHER" 2>/dev/null || { tail -20 "$dir/broker.log" >&2; exit 1; }
    sleep 0.05
  done
  t1=$(date +%s%N)
  echo "  start $i: $(( (t1 - t0) / 1000000 )) ms from launching rabbitmq-server to its AMQP port accepting"
  stop_rabbit
  for _ in $(seq 300); do pgrep -f "$NODE" >/dev/null || break; sleep 0.1; done
done
