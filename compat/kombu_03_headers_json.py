"""kombu messages with application headers and JSON serialization (plus headers exchange)."""
import socket
from kombu import Connection, Exchange, Queue, Consumer, Producer
from common import amqp_url, eq, check, ok, WAIT

payload = {"int": 1, "float": 1.5, "str": "ünïcødé", "list": [1, 2, {"a": None}], "bool": True, "none": None}
headers = {"x-app": "compat", "count": 3, "flag": False, "nested": {"k": "v"}, "lst": ["a", 1]}

ex = Exchange("compat_hdr_direct", type="direct", durable=False)
q = Queue("compat_hdr_q", exchange=ex, routing_key="rk", durable=False, auto_delete=False)
hex_ = Exchange("compat_headers_x", type="headers", durable=False)
hq_all = Queue("compat_hq_all", exchange=hex_, binding_arguments={"x-match": "all", "format": "pdf", "type": "report"},
               durable=False)
hq_any = Queue("compat_hq_any", exchange=hex_, binding_arguments={"x-match": "any", "format": "pdf", "type": "report"},
               durable=False)

with Connection(amqp_url(), connect_timeout=WAIT) as conn:
    ch = conn.channel()
    prod = Producer(ch, exchange=ex)
    prod.publish(payload, routing_key="rk", serializer="json", headers=headers, declare=[q],
                 correlation_id="c-1", reply_to="somewhere", priority=5, message_id="m-1", delivery_mode=2)
    msgs = []
    cons = Consumer(ch, queues=[q], accept=["json"], on_message=lambda m: (msgs.append(m), m.ack()))
    with cons:
        try:
            conn.drain_events(timeout=WAIT)
        except socket.timeout:
            pass
    eq(len(msgs), 1, "messages received")
    m = msgs[0]
    eq(m.decode(), payload, "json payload")
    eq(m.content_type, "application/json", "content_type")
    eq(m.content_encoding, "utf-8", "content_encoding")
    eq(m.headers, headers, "application headers")
    eq(m.properties.get("correlation_id"), "c-1", "correlation_id")
    eq(m.properties.get("reply_to"), "somewhere", "reply_to")
    eq(m.properties.get("priority"), 5, "priority")
    eq(m.properties.get("message_id"), "m-1", "message_id")
    eq(m.properties.get("delivery_mode"), 2, "delivery_mode")
    eq(m.delivery_info["exchange"], "compat_hdr_direct", "exchange")

    # headers exchange routing
    hprod = Producer(ch, exchange=hex_)
    for qq in (hq_all, hq_any):
        qq(ch).declare()
    hprod.publish({"n": 1}, headers={"format": "pdf", "type": "report"}, serializer="json")
    hprod.publish({"n": 2}, headers={"format": "pdf", "type": "log"}, serializer="json")
    hprod.publish({"n": 3}, headers={"format": "zip"}, serializer="json")
    got = {"all": [], "any": []}

    def cb(name):
        return lambda body, message: (got[name].append(body["n"]), message.ack())

    with Consumer(ch, queues=[hq_all], callbacks=[cb("all")], accept=["json"]), \
            Consumer(ch, queues=[hq_any], callbacks=[cb("any")], accept=["json"]):
        while len(got["all"]) + len(got["any"]) < 3:
            try:
                conn.drain_events(timeout=WAIT)
            except socket.timeout:
                break
        try:
            conn.drain_events(timeout=0.5)
        except socket.timeout:
            pass
    eq(got, {"all": [1], "any": [1, 2]}, "headers exchange routing")
    for qq in (q, hq_all, hq_any):
        qq(ch).delete()
    ex(ch).delete()
    hex_(ch).delete()
ok("kombu headers/json")
