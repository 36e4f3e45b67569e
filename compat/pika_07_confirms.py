"""Tutorial 7: Publisher confirms (confirm_delivery, individual publish, mandatory unroutable)."""
import pika
from common import connect, eq, check, ok, collect

conn = connect()
ch = conn.channel()
ch.confirm_delivery()
q = ch.queue_declare(queue="", exclusive=True).method.queue

# publishing messages individually: BlockingChannel.basic_publish raises on nack/return
for i in range(50):
    ch.basic_publish(exchange="", routing_key=q, body="m%d" % i,
                     properties=pika.BasicProperties(content_type="text/plain", delivery_mode=2))
got = collect(conn, ch, q, 50)
eq([b for _, _, b in got], [("m%d" % i).encode() for i in range(50)], "confirmed messages")

# mandatory + unroutable -> basic.return before the ack -> UnroutableError
try:
    ch.basic_publish(exchange="", routing_key="no-such-queue-xyz", body="lost", mandatory=True)
    check(False, "mandatory unroutable publish did not raise UnroutableError")
except pika.exceptions.UnroutableError as e:
    eq(len(e.messages), 1, "returned messages")
    rm = e.messages[0]
    eq(rm.body, b"lost", "returned body")
    eq(rm.method.reply_code, 312, "basic.return reply_code")
    eq(rm.method.reply_text, "NO_ROUTE", "basic.return reply_text")
    eq(rm.method.routing_key, "no-such-queue-xyz", "returned routing_key")

# same via an exchange with no bindings
ch.exchange_declare("confirm_x", "direct", auto_delete=False)
try:
    ch.basic_publish(exchange="confirm_x", routing_key="k", body="lost2", mandatory=True)
    check(False, "mandatory unroutable (exchange) did not raise")
except pika.exceptions.UnroutableError as e:
    eq(e.messages[0].method.exchange, "confirm_x", "returned exchange")

# non-mandatory unroutable: silently dropped, but still acked (no exception)
ch.basic_publish(exchange="confirm_x", routing_key="k", body="dropped")

# channel still usable after the return
ch.basic_publish(exchange="", routing_key=q, body="after")
eq([b for _, _, b in collect(conn, ch, q, 1)], [b"after"], "publish after return")
ch.exchange_delete("confirm_x")

# publishing to a non-existent exchange closes the channel with 404
try:
    ch.basic_publish(exchange="no-such-exchange-xyz", routing_key="k", body="x")
    check(False, "publish to missing exchange did not fail")
except pika.exceptions.ChannelClosedByBroker as e:
    eq(e.reply_code, 404, "missing exchange reply code")
check(conn.is_open, "connection still open")
conn.close()
ok("publisher confirms")
