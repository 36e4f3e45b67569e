"""kombu Producer/Consumer with kombu-declared Exchange/Queue (direct and topic)."""
import socket
from kombu import Connection, Exchange, Queue, Consumer, Producer
from common import amqp_url, eq, check, ok, WAIT

media = Exchange("compat_media", type="direct", durable=True)
video = Queue("compat_video", exchange=media, routing_key="video", durable=True)
images = Queue("compat_images", exchange=media, routing_key="images", durable=True)

logs = Exchange("compat_klogs", type="topic", durable=False, auto_delete=False)
kern = Queue("compat_kern", exchange=logs, routing_key="kern.*", durable=False, auto_delete=True)
everything = Queue("compat_everything", exchange=logs, routing_key="#", durable=False, auto_delete=True)


def drain(conn, n):
    got = []
    while len(got) < n:
        try:
            conn.drain_events(timeout=WAIT)
        except socket.timeout:
            break
    return got


with Connection(amqp_url(), connect_timeout=WAIT) as conn:
    ch = conn.channel()
    for q in (video, images):
        q(ch).declare()
        q(ch).purge()
    producer = Producer(ch, exchange=media, serializer="json")
    producer.publish({"name": "/tmp/lolcat1.avi", "size": 1301013}, routing_key="video", declare=[video])
    producer.publish({"name": "/tmp/cat.jpg", "size": 1}, routing_key="images", declare=[images])
    producer.publish("plain text", routing_key="video", serializer="raw", content_type="text/plain")

    received = []

    def on_message(body, message):
        received.append((message.delivery_info["routing_key"], message.content_type, body))
        message.ack()

    with Consumer(conn.channel(), queues=[video, images], callbacks=[on_message], accept=["json", "text/plain"]):
        while len(received) < 3:
            try:
                conn.drain_events(timeout=WAIT)
            except socket.timeout:
                break
    per_rk = {}
    for rk, ctype, body in received:
        per_rk.setdefault(rk, []).append((ctype, body))
    eq(per_rk, {"video": [("application/json", {"name": "/tmp/lolcat1.avi", "size": 1301013}),
                          ("text/plain", "plain text")],
                "images": [("application/json", {"name": "/tmp/cat.jpg", "size": 1})]},
       "direct messages (per-queue order)")

    # topic
    tch = conn.channel()
    tprod = Producer(tch, exchange=logs, serializer="json")
    tprod.declare()
    kern(tch).declare()
    everything(tch).declare()
    for rk in ("kern.crit", "cron.info", "kern.info.x"):
        tprod.publish({"rk": rk}, routing_key=rk)
    got = {"compat_kern": [], "compat_everything": []}

    def make_cb(name):
        def cb(body, message):
            got[name].append(body["rk"])
            message.ack()
        return cb

    consumers = [Consumer(tch, queues=[kern], callbacks=[make_cb("compat_kern")], accept=["json"]),
                 Consumer(tch, queues=[everything], callbacks=[make_cb("compat_everything")], accept=["json"])]
    for c in consumers:
        c.consume()
    while len(got["compat_kern"]) + len(got["compat_everything"]) < 4:
        try:
            conn.drain_events(timeout=WAIT)
        except socket.timeout:
            break
    # and nothing more
    try:
        conn.drain_events(timeout=0.5)
    except socket.timeout:
        pass
    for c in consumers:
        c.cancel()
    eq(got, {"compat_kern": ["kern.crit"], "compat_everything": ["kern.crit", "cron.info", "kern.info.x"]},
       "topic routing")

    for q in (video, images):
        q(ch).delete()
    media(ch).delete()
    logs(tch).delete()
ok("kombu producer/consumer")
