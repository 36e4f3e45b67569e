"""basic_get, reject/nack with requeue (redelivered), purge, queue/exchange delete, error handling."""
import pika
from common import connect, eq, check, ok, collect, drain_extra

conn = connect()
ch = conn.channel()
Q = "compat_basic_ops"
ch.queue_delete(Q)
r = ch.queue_declare(queue=Q)
eq((r.method.queue, r.method.message_count, r.method.consumer_count), (Q, 0, 0), "declare-ok")

props = pika.BasicProperties(content_type="application/octet-stream", content_encoding="binary",
                             headers={"k": "v", "n": 42, "nested": {"a": 1}, "lst": [1, "two"], "b": True},
                             delivery_mode=1, priority=3, correlation_id="cid", reply_to="rt",
                             expiration="60000", message_id="mid", timestamp=1700000000,
                             type="t", user_id="guest", app_id="app")
for i in range(3):
    ch.basic_publish(exchange="", routing_key=Q, body=b"\x00\x01bin%d" % i, properties=props)

# basic_get
method, p, body = ch.basic_get(Q)
check(method is not None, "basic_get returned nothing")
eq(body, b"\x00\x01bin0", "basic_get body")
eq(method.redelivered, False, "redelivered first get")
eq(method.message_count, 2, "get-ok message_count")
for attr in ("content_type", "content_encoding", "headers", "delivery_mode", "priority", "correlation_id",
             "reply_to", "expiration", "message_id", "timestamp", "type", "user_id", "app_id"):
    eq(getattr(p, attr), getattr(props, attr), "property " + attr)

# reject with requeue -> redelivered=True, goes back to head
ch.basic_reject(method.delivery_tag, requeue=True)
method, p, body = ch.basic_get(Q)
eq((body, method.redelivered), (b"\x00\x01bin0", True), "after reject requeue")

# nack with requeue
ch.basic_nack(method.delivery_tag, requeue=True)
method, p, body = ch.basic_get(Q)
eq((body, method.redelivered), (b"\x00\x01bin0", True), "after nack requeue")
ch.basic_ack(method.delivery_tag)

# reject without requeue drops the message
method, p, body = ch.basic_get(Q)
eq((body, method.redelivered), (b"\x00\x01bin1", False), "second message")
ch.basic_reject(method.delivery_tag, requeue=False)

# nack multiple via consumer
method, p, body = ch.basic_get(Q)
eq(body, b"\x00\x01bin2", "third message")
ch.basic_nack(method.delivery_tag, multiple=True, requeue=False)
eq(ch.basic_get(Q), (None, None, None), "basic_get on empty queue")

# nack(multiple, requeue) of consumer deliveries -> all redelivered
for i in range(3):
    ch.basic_publish(exchange="", routing_key=Q, body="c%d" % i)
got = []
tag = ch.basic_consume(Q, lambda c, m, pr, b: got.append((m, b)))
import time
deadline = time.monotonic() + 5
while len(got) < 3 and time.monotonic() < deadline:
    conn.process_data_events(time_limit=0.1)
eq([b for _, b in got], [b"c0", b"c1", b"c2"], "consumer deliveries")
ch.basic_cancel(tag)  # unacked messages stay unacked on the channel
ch.basic_nack(got[-1][0].delivery_tag, multiple=True, requeue=True)
again = collect(conn, ch, Q, 3, auto_ack=True)
eq([(m.redelivered, b) for m, _, b in again], [(True, b"c0"), (True, b"c1"), (True, b"c2")],
   "redelivered after nack multiple")

# purge
for i in range(4):
    ch.basic_publish(exchange="", routing_key=Q, body="p%d" % i)
conn.process_data_events(time_limit=0.2)
r = ch.queue_purge(Q)
eq(r.method.message_count, 4, "purge-ok message_count")
eq(ch.queue_declare(Q, passive=True).method.message_count, 0, "after purge")

# queue_delete returns message count
ch.basic_publish(exchange="", routing_key=Q, body="x")
conn.process_data_events(time_limit=0.2)
r = ch.queue_delete(Q)
eq(r.method.message_count, 1, "delete-ok message_count")

# error case: passive declare of a missing queue -> 404, channel closed, connection usable
try:
    ch.queue_declare(Q, passive=True)
    check(False, "passive declare of deleted queue succeeded")
except pika.exceptions.ChannelClosedByBroker as e:
    eq(e.reply_code, 404, "passive declare reply_code")
    check("NOT_FOUND" in e.reply_text, "reply_text %r" % e.reply_text)
check(ch.is_closed, "channel closed after 404")
check(conn.is_open, "connection still open after channel error")
ch = conn.channel()
eq(ch.queue_declare("", exclusive=True).method.queue.startswith("amq.gen-"), True, "new channel works")

# exchange_delete, then passive declare -> 404
ch.exchange_declare("compat_x_del", "fanout")
ch.exchange_declare("compat_x_del", "fanout", passive=True)
ch.exchange_delete("compat_x_del")
try:
    ch.exchange_declare("compat_x_del", "fanout", passive=True)
    check(False, "exchange still exists after delete")
except pika.exceptions.ChannelClosedByBroker as e:
    eq(e.reply_code, 404, "passive exchange declare reply_code")

# redeclare with different type -> 406 PRECONDITION_FAILED
ch = conn.channel()
ch.exchange_declare("compat_x_type", "direct")
try:
    ch.exchange_declare("compat_x_type", "fanout")
    check(False, "redeclare with different type succeeded")
except pika.exceptions.ChannelClosedByBroker as e:
    eq(e.reply_code, 406, "inequivalent redeclare reply_code")
ch = conn.channel()
ch.exchange_delete("compat_x_type")

# exclusive consumer: a second consumer on the same queue is refused with 403
ch.queue_declare("compat_excl_consumer", auto_delete=True)
ch.basic_consume("compat_excl_consumer", lambda *a: None, exclusive=True)
ch2 = conn.channel()
try:
    ch2.basic_consume("compat_excl_consumer", lambda *a: None)
    check(False, "second consumer accepted on exclusive-consumer queue")
except pika.exceptions.ChannelClosedByBroker as e:
    eq(e.reply_code, 403, "exclusive consumer reply_code")
ch.queue_delete("compat_excl_consumer")
ch = conn.channel()

# deleting a non-existent queue/exchange is OK in RabbitMQ 3.x+
ch.queue_delete("compat_never_existed")
ch.exchange_delete("compat_never_existed")
check(ch.is_open, "channel open after deleting missing entities")
conn.close()
ok("basic ops")
