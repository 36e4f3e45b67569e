#!/usr/bin/env bash
# Side-by-side benchmark of RabbitMQ, GarageMQ and FerryMQ with RabbitMQ PerfTest (issue 5).
#
#   bench/compare.sh                 # full run: REPEATS=3, DURATION=20 s per run
#   QUICK=1 bench/compare.sh         # development run: 5 s, 1 repeat, 100,000-message deep queue
#
# Environment (all optional):
#   REPEATS=3  DURATION=20  QUICK=0
#   BROKERS="rabbitmq garagemq ferrymq relay"  which brokers, in this order (one at a time); relay is the
#                                           ceiling: bench/relay, an AMQP relay with no queue (not scenario 7)
#   SCENARIOS="1a 1b 2 3a 3b 4 5 6 7"       which scenarios (see bench/README.md)
#   DEEP_MESSAGES=1000000                   messages in scenario 7
#   DEEP_TIMEOUT=600                        cap in seconds on each phase of scenario 7 (publish, drain)
#   FERRY_JAVA_OPTS="$(the options in jvm.options)"  FERRY_FSYNC=always
#   RABBIT_PORT=5681 GARAGE_PORT=5682 FERRY_PORT=5683 RABBIT_DIST_PORT=5684 GARAGE_ADMIN_PORT=5685 RELAY_PORT=5686
#   KEEP_WORK=1                             keep the temp dir (broker data, logs) after the run
#   FERRY_ROOT=$ROOT                        the checkout whose FerryMQ is measured (e.g. a worktree of an older
#                                           commit, for a before/after pair of runs)
#   FERRY_BEFORE_ROOT=DIR                   adds a "ferrymq-before" broker: the FerryMQ built in DIR (a worktree of an
#                                           older commit, its own jvm.options), taking turns with the others
#   REPORT_NAME=latest                      names the result files (quick for QUICK=1); only latest updates README
#
# Brokers take turns: for each scenario and repeat, RabbitMQ, then GarageMQ, then FerryMQ, one at a time.
# Every run starts the broker afresh with an empty temp data dir, so peak RSS (VmHWM) and CPU time are those of
# that run alone. Writes bench/results/latest.md (printed at the end), latest.tsv (every run), latest.png, and the
# tables into bench/README.md; a QUICK=1 run writes results/quick.* instead and leaves README alone.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS="$BENCH_DIR/results"
LIB="$BENCH_DIR/target/lib"

QUICK="${QUICK:-0}"
if [ "$QUICK" = 1 ]; then
  REPEATS="${REPEATS:-1}"; DURATION="${DURATION:-5}"
  DEEP_MESSAGES="${DEEP_MESSAGES:-100000}"; DEEP_TIMEOUT="${DEEP_TIMEOUT:-60}"
fi
REPEATS="${REPEATS:-3}"
DURATION="${DURATION:-20}"
DEEP_MESSAGES="${DEEP_MESSAGES:-1000000}"
DEEP_TIMEOUT="${DEEP_TIMEOUT:-600}"
BROKERS="${BROKERS:-rabbitmq garagemq ferrymq relay}"
SCENARIOS="${SCENARIOS:-1a 1b 2 3a 3b 4 5 6 7}"
FERRY_ROOT="${FERRY_ROOT:-$ROOT}"
FERRY_JAVA_OPTS="${FERRY_JAVA_OPTS:-$(sed 's/#.*//' "$FERRY_ROOT/jvm.options" | xargs)}"  # the launcher's defaults
FERRY_FSYNC="${FERRY_FSYNC:-always}"
RABBIT_PORT="${RABBIT_PORT:-5681}"
GARAGE_PORT="${GARAGE_PORT:-5682}"
FERRY_PORT="${FERRY_PORT:-5683}"
RABBIT_DIST_PORT="${RABBIT_DIST_PORT:-5684}"
GARAGE_ADMIN_PORT="${GARAGE_ADMIN_PORT:-5685}"
RELAY_PORT="${RELAY_PORT:-5686}"
FERRY_BEFORE_PORT="${FERRY_BEFORE_PORT:-5687}"
if [ -n "${FERRY_BEFORE_ROOT:-}" ] && [[ " $BROKERS " != *" ferrymq-before "* ]]; then
  BROKERS="$BROKERS ferrymq-before"
fi
RABBIT_NODE="ferrybench-$$@localhost"
START_TIMEOUT=90          # seconds a broker gets to start listening
CLK_TCK="$(getconf CLK_TCK)"

for v in REPEATS DURATION DEEP_MESSAGES DEEP_TIMEOUT RABBIT_PORT GARAGE_PORT FERRY_PORT RABBIT_DIST_PORT \
         GARAGE_ADMIN_PORT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "compare.sh: $v must be a number, got '${!v}'" >&2; exit 2; }
done

log() { printf '[compare %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

WORK="$(mktemp -d /tmp/ferrymq-bench.XXXXXX)"
NOTES="$WORK/notes.txt"; : > "$NOTES"
note() { log "NOTE: $*"; echo "$*" >> "$NOTES"; }

# --- process bookkeeping and cleanup --------------------------------------------------------------------------
CUR_BROKER=""   # name of the broker now running
CUR_PGID=""     # its process group (started with setsid)
CUR_PID=""      # the process whose /proc we read (beam.smp, garagemq, java)
PERF_PID=""     # the PerfTest (time/timeout/java) now running
EPMD_BEFORE=0; if pgrep -x epmd >/dev/null; then EPMD_BEFORE=1; fi

stop_broker() {
  [ -n "$CUR_BROKER" ] || return 0
  local name="$CUR_BROKER" pgid="$CUR_PGID" pid="$CUR_PID" i
  CUR_BROKER=""
  if [ "$name" = rabbitmq ] && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    HOME="$WORK/rabbit-home" timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBIT_NODE" stop \
      >>"$WORK/rabbitmqctl.log" 2>&1 || true
  fi
  if [ -n "$pgid" ]; then kill -TERM -- "-$pgid" 2>/dev/null || true; fi
  for i in $(seq 1 300); do                      # up to 30 s for a clean shutdown
    if ! pgrep -g "$pgid" >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  if [ -n "$pgid" ] && pgrep -g "$pgid" >/dev/null 2>&1; then
    log "$name did not stop within 30 s: SIGKILL"
    kill -KILL -- "-$pgid" 2>/dev/null || true
    sleep 1
  fi
  CUR_PGID=""; CUR_PID=""
}

kill_perf() {
  if [ -n "$PERF_PID" ] && kill -0 "$PERF_PID" 2>/dev/null; then
    pkill -TERM -P "$PERF_PID" 2>/dev/null || true   # timeout -> java
    kill -TERM "$PERF_PID" 2>/dev/null || true
    sleep 1
    pkill -KILL -P "$PERF_PID" 2>/dev/null || true
  fi
  PERF_PID=""
}

our_processes() {
  local d p
  for d in /proc/[0-9]*; do
    p="${d#/proc/}"
    [ "$p" != "$$" ] && [ "$p" != "$BASHPID" ] || continue
    if grep -qsaF -- "$WORK" "$d/cmdline" "$d/environ" 2>/dev/null; then echo "$p"; fi
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  kill_perf
  stop_broker
  # Anything of ours still alive is a leak: end it. Ours = our temp dir in its command line or environment
  # (every broker we start has it there: data dir, config, RABBITMQ_* variables).
  local stray
  stray="$(our_processes)"
  if [ -n "$stray" ]; then
    log "stray processes after the run, killing: $(echo "$stray" | tr '\n' ' ')"
    # shellcheck disable=SC2086
    kill -KILL $stray 2>/dev/null || true
  else
    log "cleanup: no broker process of this run is left"
  fi
  # epmd is shared by every Erlang node on the machine: end it only if we started it and no node uses it.
  if [ "$EPMD_BEFORE" = 0 ] && pgrep -x epmd >/dev/null && ! epmd -names 2>/dev/null | grep -q '^name '; then
    epmd -kill >/dev/null 2>&1 || true
  fi
  if [ "${KEEP_WORK:-0}" = 1 ]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# --- tools ------------------------------------------------------------------------------------------------
APT_UPDATED=0
apt_install() {   # apt_install PACKAGE...: true if installed
  local policy=""
  [ -e /usr/sbin/policy-rc.d ] || {
    # Don't let a package's maintainer scripts start a system-wide service (e.g. rabbitmq on 5672).
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy=1
  }
  local ok=0
  if DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q "$@" >>"$WORK/apt.log" 2>&1; then
    ok=1
  elif [ "$APT_UPDATED" = 0 ]; then
    APT_UPDATED=1
    timeout 300 apt-get update -q >>"$WORK/apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q "$@" >>"$WORK/apt.log" 2>&1 && ok=1
  fi
  [ -z "$policy" ] || rm -f /usr/sbin/policy-rc.d
  [ "$ok" = 1 ]
}

port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
port_listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
need_free_ports() {
  local p i
  for p in "$@"; do
    for i in $(seq 1 100); do port_free "$p" && break; sleep 0.1; done
    port_free "$p" || { log "port $p is in use:"; ss -ltnp "sport = :$p" >&2 || true; return 1; }
  done
}

command -v /usr/bin/time >/dev/null || apt_install time || { echo "compare.sh: /usr/bin/time missing" >&2; exit 1; }
command -v ss >/dev/null || apt_install iproute2 || { echo "compare.sh: ss missing" >&2; exit 1; }
command -v python3 >/dev/null || apt_install python3-minimal || { echo "compare.sh: python3 missing" >&2; exit 1; }

# PerfTest, brought in by bench/pom.xml (a standalone pom, not a module of the reactor).
if ! [ -f "$LIB/.fetched" ] || [ "$BENCH_DIR/pom.xml" -nt "$LIB/.fetched" ]; then
  log "fetching RabbitMQ PerfTest with Maven"
  if ! timeout 900 mvn -B -q -Dstyle.color=never -f "$BENCH_DIR/pom.xml" dependency:copy-dependencies \
       >"$WORK/perftest-fetch.log" 2>&1; then
    cat "$WORK/perftest-fetch.log" >&2; echo "compare.sh: could not fetch PerfTest with Maven" >&2; exit 1
  fi
  touch "$LIB/.fetched"
fi
strip_ansi() { sed 's/\x1b\[[0-9;]*m//g'; }
PERFTEST_VERSION="$(java -cp "$LIB/*" com.rabbitmq.perf.PerfTest --version 2>/dev/null | strip_ansi | head -1 || true)"

# Which brokers can run.
ACTIVE=""
for b in $BROKERS; do
  case "$b" in
    rabbitmq)
      if [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
        log "installing rabbitmq-server (apt-get)"
        apt_install rabbitmq-server || true
      fi
      if [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then ACTIVE="$ACTIVE rabbitmq"
      else note "RabbitMQ: apt-get install rabbitmq-server failed, skipped (see apt log)"; fi ;;
    garagemq)
      if ! command -v garagemq >/dev/null; then
        log "installing garagemq (apt-get)"
        apt_install garagemq || true
      fi
      if command -v garagemq >/dev/null; then ACTIVE="$ACTIVE garagemq"
      else note "GarageMQ: Debian package garagemq not installable here, skipped"; fi ;;
    ferrymq)
      # The launcher's own build step (mvn package when sources changed), then --version proves the jar runs.
      log "building FerryMQ with ./ferrymq's build step"
      if timeout 1200 "$FERRY_ROOT/ferrymq" --version >"$WORK/ferry-build.log" 2>&1; then
        ACTIVE="$ACTIVE ferrymq"
      elif [ -f "$FERRY_ROOT/ferrymq-server/target/ferrymq-server.jar" ] \
           && java -jar "$FERRY_ROOT/ferrymq-server/target/ferrymq-server.jar" --version >/dev/null 2>&1; then
        note "FerryMQ: the build failed (another edit in progress?); benchmarked the jar built before, $(date -r "$FERRY_ROOT/ferrymq-server/target/ferrymq-server.jar" '+%F %T')"
        tail -20 "$WORK/ferry-build.log" >&2 || true
        ACTIVE="$ACTIVE ferrymq"
      else
        tail -40 "$WORK/ferry-build.log" >&2 || true
        note "FerryMQ: build failed and no runnable jar, skipped"
      fi
      if [[ " $ACTIVE " == *" ferrymq "* ]]; then
        # A private copy, so a rebuild by someone else during the run cannot change what we measure.
        mkdir -p "$WORK/ferry-jar"
        cp -r "$FERRY_ROOT/ferrymq-server/target/ferrymq-server.jar" "$FERRY_ROOT/ferrymq-server/target/lib" "$WORK/ferry-jar/"
        FERRY_VERSION="$(java -jar "$WORK/ferry-jar/ferrymq-server.jar" --version 2>/dev/null | strip_ansi | head -1 || true)"
      fi ;;
    ferrymq-before)
      if [ -z "${FERRY_BEFORE_ROOT:-}" ] || ! timeout 1200 "$FERRY_BEFORE_ROOT/ferrymq" --version \
           >"$WORK/ferry-before-build.log" 2>&1; then
        note "FerryMQ before: FERRY_BEFORE_ROOT not set or its build failed, skipped"
      else
        mkdir -p "$WORK/ferry-before-jar"
        cp -r "$FERRY_BEFORE_ROOT/ferrymq-server/target/ferrymq-server.jar" \
          "$FERRY_BEFORE_ROOT/ferrymq-server/target/lib" "$WORK/ferry-before-jar/"
        FERRY_BEFORE_JAVA_OPTS="$(sed 's/#.*//' "$FERRY_BEFORE_ROOT/jvm.options" | xargs)"
        FERRY_BEFORE_VERSION="commit $(git -C "$FERRY_BEFORE_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); $FERRY_BEFORE_JAVA_OPTS"
        ACTIVE="$ACTIVE ferrymq-before"
      fi ;;
    relay)
      # The ceiling (issue 19): bench/relay forwards each publish to a consumer with no queue in between.
      if timeout 900 mvn -B -q -Dstyle.color=never -f "$BENCH_DIR/relay/pom.xml" package \
           >"$WORK/relay-build.log" 2>&1; then
        mkdir -p "$WORK/relay-jar"
        cp -r "$BENCH_DIR/relay/target/relay.jar" "$BENCH_DIR/relay/target/lib" "$WORK/relay-jar/"
        ACTIVE="$ACTIVE relay"
      else
        tail -20 "$WORK/relay-build.log" >&2 || true
        note "Relay: build failed, skipped"
      fi ;;
    *) echo "compare.sh: unknown broker '$b'" >&2; exit 2 ;;
  esac
done
[ -n "$ACTIVE" ] || { echo "compare.sh: no broker to run" >&2; exit 1; }

# --- brokers ------------------------------------------------------------------------------------------------
broker_port() {
  case "$1" in rabbitmq) echo "$RABBIT_PORT" ;; garagemq) echo "$GARAGE_PORT" ;; ferrymq) echo "$FERRY_PORT" ;;
    relay) echo "$RELAY_PORT" ;; ferrymq-before) echo "$FERRY_BEFORE_PORT" ;; esac
}

wait_listening() {   # wait_listening NAME PORT PID
  local i
  for i in $(seq 1 $((START_TIMEOUT * 10))); do
    port_listening "$2" && return 0
    kill -0 "$3" 2>/dev/null || { log "$1 exited while starting"; return 1; }
    sleep 0.1
  done
  log "$1 did not listen on $2 within ${START_TIMEOUT}s"; return 1
}

start_broker() {   # start_broker NAME RUNDIR: sets CUR_*; the broker log goes to RUNDIR/broker.log
  local name="$1" dir="$2" launcher i
  mkdir -p "$dir/data"
  case "$name" in
    rabbitmq)
      need_free_ports "$RABBIT_PORT" "$RABBIT_DIST_PORT"
      mkdir -p "$WORK/rabbit-home" "$dir/log"
      echo '[].' > "$dir/enabled_plugins"
      printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users.guest = true\n' "$RABBIT_PORT" > "$dir/rabbitmq.conf"
      # The script under /usr/lib/rabbitmq/bin, not the /usr/sbin wrapper (that one su's to the rabbitmq user
      # and drops this environment). HOME holds the Erlang cookie shared with our rabbitmqctl calls.
      HOME="$WORK/rabbit-home" RABBITMQ_NODENAME="$RABBIT_NODE" RABBITMQ_USE_LONGNAME=false \
      RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$RABBIT_PORT" RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT" \
      RABBITMQ_MNESIA_BASE="$dir/data" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/rabbit.pid" \
      RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
        setsid /usr/lib/rabbitmq/bin/rabbitmq-server >"$dir/broker.log" 2>&1 </dev/null &
      launcher=$! ;;
    garagemq)
      need_free_ports "$GARAGE_PORT" "$GARAGE_ADMIN_PORT"
      # The stock /etc/garagemq/config.yaml with our ports and data dir (guest/guest, md5 of 'guest').
      cat > "$dir/garagemq.yaml" <<EOF
proto: amqp-rabbit
users:
  - username: guest
    password: 084e0343a0486ff05530df6c705c8bb4
tcp:
  ip: 127.0.0.1
  port: $GARAGE_PORT
  nodelay: false
  readBufSize: 196608
  writeBufSize: 196608
admin:
  ip: 127.0.0.1
  port: $GARAGE_ADMIN_PORT
queue:
  shardSize: 8192
  maxMessagesInRam: 131072
db:
  defaultPath: $dir/data
  engine: badger
vhost:
  defaultPath: /
security:
  passwordCheck: md5
connection:
  channelsMax: 4096
  frameMaxSize: 65536
EOF
      setsid garagemq --config "$dir/garagemq.yaml" --log-level warning >"$dir/broker.log" 2>&1 </dev/null &
      launcher=$! ;;
    ferrymq)
      need_free_ports "$FERRY_PORT"
      # shellcheck disable=SC2086
      setsid java $FERRY_JAVA_OPTS -jar "$WORK/ferry-jar/ferrymq-server.jar" server --amqp-port "$FERRY_PORT" \
        --bind 127.0.0.1 --data-dir "$dir/data" --fsync "$FERRY_FSYNC" >"$dir/broker.log" 2>&1 </dev/null &
      launcher=$! ;;
    ferrymq-before)
      need_free_ports "$FERRY_BEFORE_PORT"
      # shellcheck disable=SC2086
      setsid java $FERRY_BEFORE_JAVA_OPTS -jar "$WORK/ferry-before-jar/ferrymq-server.jar" server \
        --amqp-port "$FERRY_BEFORE_PORT" --bind 127.0.0.1 --data-dir "$dir/data" --fsync "$FERRY_FSYNC" \
        >"$dir/broker.log" 2>&1 </dev/null &
      launcher=$! ;;
    relay)
      need_free_ports "$RELAY_PORT"
      # shellcheck disable=SC2086
      setsid java $FERRY_JAVA_OPTS -jar "$WORK/relay-jar/relay.jar" "$RELAY_PORT" >"$dir/broker.log" 2>&1 </dev/null &
      launcher=$! ;;
  esac
  CUR_BROKER="$name"; CUR_PGID="$launcher"; CUR_PID="$launcher"
  if [ "$name" = rabbitmq ]; then
    for i in $(seq 1 $((START_TIMEOUT * 10))); do       # beam.smp's pid, once the node wrote it
      [ -s "$dir/rabbit.pid" ] && break
      kill -0 "$launcher" 2>/dev/null || break
      sleep 0.1
    done
    [ -s "$dir/rabbit.pid" ] || { log "rabbitmq wrote no pid file"; tail -20 "$dir/broker.log" >&2; return 1; }
    CUR_PID="$(tr -dc 0-9 < "$dir/rabbit.pid")"
    HOME="$WORK/rabbit-home" timeout "$START_TIMEOUT" /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBIT_NODE" \
      await_startup >>"$WORK/rabbitmqctl.log" 2>&1 || { log "rabbitmq: await_startup failed"; tail -20 "$dir/broker.log" >&2; return 1; }
  fi
  wait_listening "$name" "$(broker_port "$name")" "$CUR_PID" || { tail -20 "$dir/broker.log" >&2; return 1; }
}

cpu_ticks() {   # utime+stime of a process, in clock ticks
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo 0; return; }
  stat="${stat##*) }"                              # fields after "(comm) "; utime/stime are the 12th/13th
  # shellcheck disable=SC2086
  set -- $stat
  echo $(( ${12} + ${13} ))
}
busy_ticks() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }   # whole machine, not idle/iowait
peak_rss_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# --- PerfTest runs -----------------------------------------------------------------------------------------
perftest() {   # perftest OUTFILE WALL_LIMIT PORT FLAGS...: runs PerfTest; CPU (user sys) to OUTFILE.time
  local out="$1" limit="$2" port="$3"; shift 3
  echo "PerfTest $*" > "$out"
  /usr/bin/time -f '%U %S' -o "$out.time" \
    timeout -k 15 "$limit" java -Xmx1g -cp "$LIB/*" com.rabbitmq.perf.PerfTest \
      -h "amqp://guest:guest@localhost:$port" "$@" >>"$out" 2>&1 </dev/null &
  PERF_PID=$!
  local rc=0
  wait "$PERF_PID" || rc=$?
  PERF_PID=""
  return "$rc"
}

# Scenario table: id | label | metric reported | PerfTest flags (queue names explicit: GarageMQ has no
# server-named queues).
thousands() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
scenario_label() {
  case "$1" in
    1a) echo "1a transient 1→1 autoack 16 B" ;;
    1b) echo "1b transient 1→1 autoack 1 KB" ;;
    2)  echo "2 transient manual ack, prefetch 100, multi-ack 50, 1 KB" ;;
    3a) echo "3a persistent durable, confirms 100, 1 KB, 1 producer" ;;
    3b) echo "3b persistent durable, confirms 100, 1 KB, 10 producers/10 consumers" ;;
    4)  echo "4 fan-out 1 → 10 queues, 10 consumers, 1 KB (deliveries/s)" ;;
    5)  echo "5 100 producers + 100 consumers over 100 queues, 1 KB" ;;
    6)  echo "6 latency at 10,000 msg/s, 1 KB" ;;
    7p) echo "7 deep queue: publish $(thousands "$DEEP_MESSAGES") × 1 KB persistent, confirms 100, no consumer" ;;
    7d) echo "7 deep queue: drain $(thousands "$DEEP_MESSAGES") (prefetch 1000, multi-ack 500)" ;;
  esac
}
scenario_flags() {
  case "$1" in
    1a) echo "-x 1 -y 1 -s 16 -a -u perf-1a" ;;
    1b) echo "-x 1 -y 1 -s 1000 -a -u perf-1b" ;;
    2)  echo "-x 1 -y 1 -s 1000 -q 100 --multi-ack-every 50 -u perf-2" ;;
    3a) echo "-x 1 -y 1 -s 1000 -f persistent -c 100 -u perf-3a --auto-delete false" ;;
    3b) echo "-x 10 -y 10 -s 1000 -f persistent -c 100 -u perf-3b --auto-delete false" ;;
    4)  echo "-t fanout -e perf-fanout --queue-pattern perf-fan-%d --queue-pattern-from 1 --queue-pattern-to 10 -x 1 -y 10 -s 1000 -a" ;;
    5)  echo "--queue-pattern perf-%d --queue-pattern-from 1 --queue-pattern-to 100 -x 100 -y 100 -s 1000 -q 100 --multi-ack-every 50" ;;
    6)  echo "-x 1 -y 1 -s 1000 -r 10000 -u perf-6" ;;
    7p) echo "-x 1 -y 0 -s 1000 -f persistent -c 100 -u perf-deep --auto-delete false -C $DEEP_MESSAGES -z $DEEP_TIMEOUT" ;;
    7d) echo "-x 0 -y 1 -f persistent -u perf-deep --auto-delete false -q 1000 --multi-ack-every 500 -D $DEEP_MESSAGES --exit-when empty -z $DEEP_TIMEOUT" ;;
  esac
}

TSV="$WORK/runs.tsv"
FAILURES="$WORK/failures.txt"; : > "$FAILURES"
printf 'broker\tscenario\trepeat\tstatus\tsend\trecv\tp50_us\tp99_us\trss_kb\tbroker_cpu_s\tperf_cpu_s\tother_cpu_s\twall_s\tstop_reason\n' > "$TSV"

record() {   # record BROKER SCEN REPEAT STATUS OUTFILE RSS_KB BROKER_CPU_S PERF_CPU_S OTHER_CPU_S WALL_S
  python3 - "$@" >> "$TSV" <<'EOF'
import re, sys
broker, scen, rep, status, out, rss, bcpu, pcpu, ocpu, wall = sys.argv[1:11]
text = open(out, errors="replace").read()
def last(pattern):
    m = re.findall(pattern, text)
    return m[-1] if m else None
send = last(r"sending rate avg: (\d+) msg/s")
recv = last(r"receiving rate avg: (\d+) msg/s")
lat = last(r"consumer latency min/median/75th/95th/99th (\d+)/(\d+)/(\d+)/(\d+)/(\d+) (µs|ms)")
p50 = p99 = ""
if lat and int(lat[4]) > 0:
    k = 1000 if lat[5] == "ms" else 1
    p50, p99 = str(int(lat[1]) * k), str(int(lat[4]) * k)
reason = last(r"test stopped \(([^)]*)\)") or ""
if status == "ok" and (send is None or recv is None):
    status = "noresult"
print("\t".join([broker, scen, rep, status, send or "", recv or "", p50, p99, rss, bcpu, pcpu, ocpu, wall, reason]))
EOF
}

perf_cpu() { awk 'NR==1 && NF>=2 {printf "%.2f", $1+$2; exit} END {if (NR==0) printf "0"}' "$1.time" 2>/dev/null || echo 0; }

run_one() {   # run_one BROKER SCEN REPEAT
  local b="$1" s="$2" r="$3" dir="$WORK/$1-$2-r$3" port status c0 c1 rss phases ph out flags limit pcpu bcpu
  local m0 m1 t0 t1
  mkdir -p "$dir"
  port="$(broker_port "$b")"
  if ! start_broker "$b" "$dir"; then
    stop_broker
    if [ "$s" = 7 ]; then phases="7p 7d"; else phases="$s"; fi
    for ph in $phases; do : > "$dir/$ph.out"; record "$b" "$ph" "$r" startfail "$dir/$ph.out" 0 0 0 0 0; done
    { echo "=== $b $s #$r: startfail"; tail -40 "$dir/broker.log"; echo; } >> "$FAILURES" 2>/dev/null || true
    return 0
  fi
  if [ "$s" = 7 ]; then phases="7p 7d"; else phases="$s"; fi
  for ph in $phases; do
    out="$dir/$ph.out"
    flags="$(scenario_flags "$ph")"
    if [ "$s" = 7 ]; then limit=$((DEEP_TIMEOUT + 90)); else limit=$((DURATION + 90)); flags="$flags -z $DURATION"; fi
    c0="$(cpu_ticks "$CUR_PID")"; m0="$(busy_ticks)"; t0="$(date +%s.%N)"
    status=ok
    # shellcheck disable=SC2086
    perftest "$out" "$limit" "$port" $flags || status="fail"
    if ! kill -0 "$CUR_PID" 2>/dev/null; then status="brokerdied"; fi
    # A JVM that hit OutOfMemoryError may live on, limping: that run failed too.
    if grep -q 'OutOfMemoryError' "$dir/broker.log" 2>/dev/null; then status="oom"; fi
    c1="$(cpu_ticks "$CUR_PID")"; m1="$(busy_ticks)"; t1="$(date +%s.%N)"
    rss="$(peak_rss_kb "$CUR_PID")"
    pcpu="$(perf_cpu "$out")"
    bcpu="$(awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" 'BEGIN {printf "%.2f", (b-a)/t}')"
    # CPU the rest of the machine used meanwhile (other engineers' builds and tests compete for the 2 cores).
    record "$b" "$ph" "$r" "$status" "$out" "${rss:-0}" "$bcpu" "$pcpu" \
      "$(awk -v a="$m0" -v b="$m1" -v t="$CLK_TCK" -v x="$bcpu" -v y="$pcpu" 'BEGIN {o=(b-a)/t-x-y; printf "%.2f", (o<0?0:o)}')" \
      "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b-a}')"
    log "$b $ph #$r: $(tail -1 "$TSV" | cut -f4-8 | tr '\t' ' ')"
    if [ "$status" != ok ]; then
      tail -5 "$out" >&2 || true
      # Keep the evidence: the end of the PerfTest output and of the broker log go to results/latest-failures.txt.
      { echo "=== $b $ph #$r: $status"; echo "--- PerfTest (last 15 lines)"; tail -15 "$out"
        echo "--- broker log (last 40 lines)"; tail -40 "$dir/broker.log"; echo; } >> "$FAILURES" 2>/dev/null || true
    fi
  done
  stop_broker
}

log "work dir $WORK; brokers:$ACTIVE; scenarios: $SCENARIOS; repeats $REPEATS × ${DURATION}s; deep $DEEP_MESSAGES (cap ${DEEP_TIMEOUT}s)"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
STARTED_AT="$(date '+%F %T %Z')"
SECONDS=0
# Brokers take turns run by run (still one at a time), so the load other processes put on the shared 2 cores
# falls on all of them alike instead of on whichever broker happens to run during a busy stretch.
for s in $SCENARIOS; do
  for r in $(seq 1 "$REPEATS"); do
    for b in $ACTIVE; do
      [ "$b" = relay ] && [ "$s" = 7 ] && continue # nothing to keep: the relay has no queue to fill or drain
      run_one "$b" "$s" "$r"
    done
  done
done
ELAPSED=$SECONDS
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- report ------------------------------------------------------------------------------------------------
# A QUICK run writes results/quick.*, so it never replaces the last full run's latest.* (nor README's table).
if [ -z "${REPORT_NAME:-}" ]; then
  if [ "$QUICK" = 1 ]; then REPORT_NAME=quick; else REPORT_NAME=latest; fi
fi
export REPORT_NAME
mkdir -p "$RESULTS"
cp "$TSV" "$RESULTS/$REPORT_NAME.tsv"
# Every run's PerfTest output (per-second rates and latency percentiles), for looking into a figure afterwards:
# tar -xzf bench/results/latest-perftest.tar.gz -O ./ferrymq-6-r1/6.out
(cd "$WORK" && find . -name '*.out' -print0 | sort -z | tar -czf "$RESULTS/$REPORT_NAME-perftest.tar.gz" --null -T -)
if [ -s "$FAILURES" ]; then cp "$FAILURES" "$RESULTS/$REPORT_NAME-failures.txt"; else rm -f "$RESULTS/$REPORT_NAME-failures.txt"; fi
{
  echo "run_started=$STARTED_AT"
  echo "elapsed_s=$ELAPSED"
  echo "repeats=$REPEATS"; echo "duration=$DURATION"; echo "deep_messages=$DEEP_MESSAGES"; echo "deep_timeout=$DEEP_TIMEOUT"
  echo "brokers=$ACTIVE"
  echo "perftest=$PERFTEST_VERSION"
  echo "rabbitmq=$(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null || true)"
  echo "erlang=$(dpkg-query -W -f '${Version}' erlang-base 2>/dev/null || true)"
  echo "garagemq=$(dpkg-query -W -f '${Version}' garagemq 2>/dev/null || true)"
  echo "ferrymq=${FERRY_VERSION:-} (commit $(git -C "$FERRY_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $(git -C "$FERRY_ROOT" status --porcelain 2>/dev/null | grep -c . || true) uncommitted files; $FERRY_JAVA_OPTS, fsync $FERRY_FSYNC)"
  echo "ferrymq_before=${FERRY_BEFORE_VERSION:-}"
  echo "load_before=$LOAD_BEFORE"; echo "load_after=$LOAD_AFTER"
  echo "cpus=$(nproc)"
  echo "java=$(java -version 2>&1 | head -1)"
} > "$WORK/meta.txt"
for ph in 1a 1b 2 3a 3b 4 5 6 7p 7d; do
  printf '%s\t%s\t%s\n' "$ph" "$(scenario_label "$ph")" "$(scenario_flags "$ph")"
done > "$WORK/scenarios.tsv"

python3 "$BENCH_DIR/report.py" "$TSV" "$WORK/meta.txt" "$WORK/scenarios.tsv" "$NOTES" "$RESULTS"

if command -v gnuplot >/dev/null || apt_install gnuplot-nox; then
  if ! gnuplot "$RESULTS/$REPORT_NAME.gp" >"$WORK/gnuplot.log" 2>&1; then
    log "gnuplot failed:"; cat "$WORK/gnuplot.log" >&2
  fi
else
  log "gnuplot not available (apt-get install gnuplot-nox failed): no chart"
fi
rm -f "$RESULTS/$REPORT_NAME.gp" "$RESULTS/$REPORT_NAME-chart.dat" "$RESULTS/$REPORT_NAME-rss.dat"
cat "$RESULTS/$REPORT_NAME.md"
