#!/usr/bin/env bash
# Screenshots the web UI in headless Chromium: starts a throwaway broker (./ferrymq server, temp data dir,
# non-default ports), puts live traffic through it, logs in through the login form and saves
#   docs/ui-overview.png   overview, rate chart and tables
#   docs/ui-queue.png      a queue page after publishing and getting a message through its forms
# It also prints the browser console; any SEVERE entry makes it fail.
# Needs: chromium and chromium-driver (Debian packages), curl, jq; python3 with pika for AMQP traffic (optional:
# without it the traffic goes through the HTTP API only, and the connection and channel tables stay empty).
#   docs/screenshot.sh [OUT_DIR]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/docs}"
free_port() { "${PYTHON:-/usr/bin/python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
AMQP_PORT="${AMQP_PORT:-$(free_port)}"
MGMT_PORT="${MGMT_PORT:-$(free_port)}"
DRIVER_PORT="${DRIVER_PORT:-$(free_port)}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
PYTHON="${PYTHON:-/usr/bin/python3}"
UI="http://127.0.0.1:$MGMT_PORT"

DATA="$(mktemp -d -t ferrymq-screenshot-XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

api() { # api METHOD PATH [JSON]
  curl -sf -u guest:guest -X "$1" -H 'content-type: application/json' ${3:+-d "$3"} "$UI/api/$2"
}

echo "starting broker (AMQP $AMQP_PORT, management $MGMT_PORT, data $DATA)..." >&2
"$ROOT/ferrymq" server --bind 127.0.0.1 --amqp-port "$AMQP_PORT" --management-port "$MGMT_PORT" \
  --data-dir "$DATA/data" >"$DATA/broker.log" 2>&1 &
BROKER=$!
PIDS+=("$BROKER")
for _ in $(seq 600); do api GET overview >/dev/null 2>&1 && break; kill -0 "$BROKER" 2>/dev/null || break; sleep 0.5; done
api GET overview >/dev/null || { cat "$DATA/broker.log" >&2; exit 1; }

# Some topology and a backlog.
api PUT queues/%2F/orders '{"durable":true}' >/dev/null
api PUT queues/%2F/emails '{"durable":true}' >/dev/null
api PUT queues/%2F/audit '{"durable":false,"arguments":{"x-max-length":1000}}' >/dev/null
api PUT exchanges/%2F/events '{"type":"topic","durable":true}' >/dev/null
api POST bindings/%2F/e/events/q/audit '{"routing_key":"#"}' >/dev/null
for i in $(seq 40); do
  api POST exchanges/%2F/amq.default/publish \
    "{\"routing_key\":\"emails\",\"payload\":\"welcome mail $i\",\"payload_encoding\":\"string\",\"properties\":{}}" >/dev/null
done

# Live traffic for the rate chart: an AMQP publisher and consumer on "orders", or HTTP publishes without pika.
if "$PYTHON" -c 'import pika' 2>/dev/null; then
  "$PYTHON" - "$AMQP_PORT" >"$DATA/traffic.log" 2>&1 <<'EOF' &
import sys, time, pika
params = pika.ConnectionParameters(host="127.0.0.1", port=int(sys.argv[1]))
pub = pika.BlockingConnection(params).channel()
pub.confirm_delivery()
con = pika.BlockingConnection(params).channel()
con.basic_qos(prefetch_count=20)
con.basic_consume("orders", lambda ch, m, p, body: ch.basic_ack(m.delivery_tag))
n = 0
while True:
    n += 1
    rate = 40 + 30 * ((n // 100) % 2)  # a step, so the chart is not a flat line
    pub.basic_publish("", "orders", b"order %d" % n, pika.BasicProperties(delivery_mode=2))
    pub.basic_publish("events", "order.created", b"event %d" % n)
    con.connection.process_data_events(time_limit=1.0 / rate)
EOF
  PIDS+=($!)
else
  echo "python3 pika not found: HTTP traffic only" >&2
  (while true; do
     api POST exchanges/%2F/amq.default/publish \
       '{"routing_key":"orders","payload":"order","payload_encoding":"string","properties":{}}' >/dev/null
     api POST queues/%2F/orders/get '{"count":1,"ackmode":"ack_requeue_false","encoding":"auto"}' >/dev/null
     sleep 0.05
   done) &
  PIDS+=($!)
fi

# The browser, driven over the W3C WebDriver protocol.
"$CHROMEDRIVER" --port="$DRIVER_PORT" >"$DATA/chromedriver.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$DRIVER_PORT/status" >/dev/null && break; sleep 0.2; done
wd() { # wd METHOD PATH [JSON] -> the response's .value
  curl -sf -X "$1" -H 'content-type: application/json' ${3:+-d "$3"} "http://127.0.0.1:$DRIVER_PORT$2" | jq -c .value
}
SESSION="$(wd POST /session '{"capabilities":{"alwaysMatch":{"goog:chromeOptions":{"binary":"'"$CHROMIUM"'",
  "args":["--headless=new","--no-sandbox","--disable-gpu","--window-size=1100,1500","--hide-scrollbars"]},
  "goog:loggingPrefs":{"browser":"ALL"}}}}' | jq -r .sessionId)"
[ -n "$SESSION" ] && [ "$SESSION" != null ] || { cat "$DATA/chromedriver.log" >&2; exit 1; }
trap 'wd DELETE "/session/$SESSION" >/dev/null || true; cleanup' EXIT
S="/session/$SESSION"
element() { wd POST "$S/element" "{\"using\":\"css selector\",\"value\":\"$1\"}" | jq -r '.[]'; }
type_into() { local e; e="$(element "$1")"; wd POST "$S/element/$e/clear" '{}' >/dev/null
  wd POST "$S/element/$e/value" "{\"text\":\"$2\"}" >/dev/null; }
click() { wd POST "$S/element/$(element "$1")/click" '{}' >/dev/null; }
screenshot() { # the window cut to the page's height, so there is no empty space below
  local height; height="$(wd POST "$S/execute/sync" '{"script":"return document.body.scrollHeight + window.outerHeight - window.innerHeight + 16","args":[]}')"
  wd POST "$S/window/rect" "{\"width\":1100,\"height\":$height}" >/dev/null
  sleep 0.5
  wd GET "$S/screenshot" | jq -r . | base64 -d >"$1"; echo "wrote $1" >&2; }

wd POST "$S/url" "{\"url\":\"$UI/\"}" >/dev/null
type_into '#user' guest
type_into '#pass' guest
click '#login button'
sleep 16 # let the chart collect a few samples (one every 2 s)
screenshot "$OUT/ui-overview.png"

wd POST "$S/url" "{\"url\":\"$UI/#/queues/%2F/emails\"}" >/dev/null
sleep 3
type_into '#pubBody' 'hello from the queue page'
click '#publish button'
sleep 1
type_into '#getCount' 2
click '#get button'
sleep 3
screenshot "$OUT/ui-queue.png"

echo "browser console:" >&2
CONSOLE="$(wd POST "$S/se/log" '{"type":"browser"}')"
echo "$CONSOLE" | jq -r '.[] | "  \(.level) \(.message)"' >&2
if echo "$CONSOLE" | jq -e 'map(select(.level == "SEVERE")) | length > 0' >/dev/null; then
  echo "errors in the browser console" >&2
  exit 1
fi
