"""Tutorial 4: Routing (direct exchange, multiple bindings)."""
from common import connect, eq, ok, collect, drain_extra

conn = connect()
ch = conn.channel()
ch.exchange_declare(exchange="direct_logs", exchange_type="direct")

q_err = ch.queue_declare(queue="", exclusive=True).method.queue
ch.queue_bind(exchange="direct_logs", queue=q_err, routing_key="error")
q_all = ch.queue_declare(queue="", exclusive=True).method.queue
for sev in ("info", "warning", "error"):
    ch.queue_bind(exchange="direct_logs", queue=q_all, routing_key=sev)

sent = [("info", "i1"), ("warning", "w1"), ("error", "e1"), ("debug", "d1"), ("error", "e2"), ("info", "i2")]
for sev, body in sent:
    ch.basic_publish(exchange="direct_logs", routing_key=sev, body=body)

got = collect(conn, ch, q_err, 2)
eq([(m.routing_key, b) for m, _, b in got], [("error", b"e1"), ("error", b"e2")], "error queue")
eq(drain_extra(conn, ch, q_err), [], "error queue extra")
got = collect(conn, ch, q_all, 5)
eq([(m.routing_key, b) for m, _, b in got],
   [("info", b"i1"), ("warning", b"w1"), ("error", b"e1"), ("error", b"e2"), ("info", b"i2")], "all queue")
eq(drain_extra(conn, ch, q_all), [], "all queue extra")

# same queue bound twice with same key -> still one copy; unbind works
ch.queue_bind(exchange="direct_logs", queue=q_err, routing_key="error")
ch.queue_unbind(exchange="direct_logs", queue=q_all, routing_key="info")
ch.basic_publish(exchange="direct_logs", routing_key="error", body="e3")
ch.basic_publish(exchange="direct_logs", routing_key="info", body="i3")
eq([b for _, _, b in collect(conn, ch, q_err, 1)], [b"e3"], "error queue after rebind")
eq(drain_extra(conn, ch, q_err), [], "duplicate binding must not duplicate")
eq([b for _, _, b in collect(conn, ch, q_all, 1)], [b"e3"], "all queue after unbind")
eq(drain_extra(conn, ch, q_all), [], "unbound key must not route")
ch.exchange_delete("direct_logs")
conn.close()
ok("routing")
