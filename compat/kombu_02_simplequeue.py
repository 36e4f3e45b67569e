"""kombu SimpleQueue put/get (and SimpleBuffer)."""
from kombu import Connection
from common import amqp_url, eq, check, ok, WAIT

with Connection(amqp_url(), connect_timeout=WAIT) as conn:
    q = conn.SimpleQueue("compat_simple")
    q.clear()
    for i in range(5):
        q.put({"hello": "world", "i": i})
    q.put("a string", serializer="json")
    got = []
    for _ in range(6):
        m = q.get(block=True, timeout=WAIT)
        got.append(m.payload)
        m.ack()
    eq(got, [{"hello": "world", "i": i} for i in range(5)] + ["a string"], "SimpleQueue order/payloads")
    try:
        q.get(block=True, timeout=0.5)
        check(False, "SimpleQueue should be empty")
    except q.Empty:
        pass
    q.put({"x": 1})
    m = q.get_nowait() if False else q.get(block=True, timeout=WAIT)
    m.requeue()
    m2 = q.get(block=True, timeout=WAIT)
    eq(m2.payload, {"x": 1}, "requeued payload")
    eq(m2.delivery_info.get("redelivered"), True, "redelivered after requeue")
    m2.ack()
    eq(len(q), 0, "qsize")
    q.close()  # cancel the consumer first (deleting a consumed queue makes the broker send basic.cancel)
    q.queue(q.channel).delete()

    # get_nowait (basic.get) and clear() on a SimpleQueue that never started consuming
    q2 = conn.SimpleQueue("compat_simple2")
    q2.clear()
    for p in ("p1", "p2", "p3"):
        q2.put(p)
    m = None
    import time
    deadline = time.monotonic() + WAIT
    while m is None and time.monotonic() < deadline:
        try:
            m = q2.get_nowait()
        except q2.Empty:
            time.sleep(0.05)
    check(m is not None, "get_nowait returned nothing")
    eq(m.payload, "p1", "get_nowait payload")
    m.ack()
    eq(q2.qsize(), 2, "qsize")
    eq(q2.clear(), 2, "clear count")
    eq(q2.qsize(), 0, "qsize after clear")
    q2.close()
    q2.queue(q2.channel).delete()

    b = conn.SimpleBuffer("compat_buffer")
    b.put("b1")
    eq(b.get(timeout=WAIT).payload, "b1", "SimpleBuffer")
    b.close()
ok("kombu SimpleQueue")
