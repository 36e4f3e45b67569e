"""Tutorial 3: Publish/Subscribe (fanout exchange, exclusive server-named queues)."""
from common import connect, eq, check, ok, collect, drain_extra

conn = connect()
ch = conn.channel()
ch.exchange_declare(exchange="logs", exchange_type="fanout")

queues = []
for _ in range(2):
    r = ch.queue_declare(queue="", exclusive=True)
    qn = r.method.queue
    check(qn.startswith("amq.gen-"), "server-named queue name %r" % qn)
    ch.queue_bind(exchange="logs", queue=qn)
    queues.append(qn)
check(queues[0] != queues[1], "distinct server-named queues")

msgs = ["info: Hello World! %d" % i for i in range(3)]
pconn = connect()
pch = pconn.channel()
pch.exchange_declare(exchange="logs", exchange_type="fanout")
for m in msgs:
    pch.basic_publish(exchange="logs", routing_key="ignored-by-fanout", body=m)
pconn.close()

for qn in queues:
    got = collect(conn, ch, qn, len(msgs))
    eq([b.decode() for _, _, b in got], msgs, "fanout delivery to %s" % qn)
    eq({meth.exchange for meth, _, _ in got}, {"logs"}, "exchange field")
    eq(drain_extra(conn, ch, qn), [], "no extra messages")

# exclusive queue is not accessible from another connection
other = connect()
och = other.channel()
import pika
try:
    och.queue_declare(queue=queues[0], passive=True)
    check(False, "exclusive queue accessible from other connection")
except pika.exceptions.ChannelClosedByBroker as e:
    eq(e.reply_code, 405, "exclusive access reply code")
other.close()

conn.close()
# exclusive queues are deleted with their connection
c2 = connect()
ch2 = c2.channel()
try:
    ch2.queue_declare(queue=queues[0], passive=True)
    check(False, "exclusive queue survived connection close")
except pika.exceptions.ChannelClosedByBroker as e:
    eq(e.reply_code, 404, "reply code after owner closed")
ch2 = c2.channel()
ch2.exchange_delete("logs")
c2.close()
ok("publish/subscribe")
