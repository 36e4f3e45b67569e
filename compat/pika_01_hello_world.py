"""Tutorial 1: Hello World (send.py / receive.py)."""
from common import connect, eq, check, ok, WAIT

# send.py
conn = connect()
ch = conn.channel()
ch.queue_declare(queue="hello")
ch.queue_purge("hello")
ch.basic_publish(exchange="", routing_key="hello", body="Hello World!")
conn.close()

# receive.py (start_consuming, stopped by the callback or by a timer)
conn = connect()
ch = conn.channel()
ch.queue_declare(queue="hello")
received = []


def callback(c, method, properties, body):
    received.append((method.routing_key, method.exchange, method.redelivered, body))
    c.stop_consuming()


ch.basic_consume(queue="hello", on_message_callback=callback, auto_ack=True)
conn.call_later(WAIT, ch.stop_consuming)
ch.start_consuming()
eq(received, [("hello", "", False, b"Hello World!")], "received")
# auto_ack: queue must now be empty
m = ch.queue_declare(queue="hello", passive=True)
eq(m.method.message_count, 0, "message_count after auto-ack")
ch.queue_delete("hello")
conn.close()
ok("hello world")
