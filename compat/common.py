"""Shared helpers for the FerryMQ compatibility scripts."""
import os
import sys
import time

HOST = os.environ.get("AMQP_HOST", "127.0.0.1")
PORT = int(os.environ.get("AMQP_PORT", "5672"))
WAIT = float(os.environ.get("COMPAT_WAIT", "5"))  # bound for every single wait


def params():
    import pika
    return pika.ConnectionParameters(
        host=HOST, port=PORT,
        credentials=pika.PlainCredentials("guest", "guest"),
        heartbeat=0, blocked_connection_timeout=WAIT,
        socket_timeout=WAIT, stack_timeout=WAIT * 2)


def connect():
    import pika
    return pika.BlockingConnection(params())


def amqp_url():
    return "amqp://guest:guest@%s:%d//" % (HOST, PORT)


def check(cond, msg):
    if not cond:
        print("FAIL: " + msg, file=sys.stderr)
        sys.exit(1)


def eq(actual, expected, what):
    check(actual == expected, "%s: expected %r, got %r" % (what, expected, actual))


def collect(conn, ch, queue, n, auto_ack=True, timeout=WAIT):
    """Consume n messages from queue via basic_consume, bounded by timeout."""
    got = []

    def cb(c, method, props, body):
        got.append((method, props, body))
        if not auto_ack:
            c.basic_ack(method.delivery_tag)

    tag = ch.basic_consume(queue=queue, on_message_callback=cb, auto_ack=auto_ack)
    deadline = time.monotonic() + timeout
    while len(got) < n and time.monotonic() < deadline:
        conn.process_data_events(time_limit=0.1)
    ch.basic_cancel(tag)
    return got


def drain_extra(conn, ch, queue, timeout=0.5):
    """Return anything else that arrives within timeout (should be empty)."""
    got = []
    tag = ch.basic_consume(queue=queue, on_message_callback=lambda c, m, p, b: got.append(b), auto_ack=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        conn.process_data_events(time_limit=0.1)
    ch.basic_cancel(tag)
    return got


def ok(name):
    print("OK " + name)
