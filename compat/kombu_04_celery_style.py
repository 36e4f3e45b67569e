"""Minimal Celery-style declarations (as celery.app.amqp does), without x- queue arguments."""
import socket
import uuid
from kombu import Connection, Exchange, Queue, Consumer, Producer
from common import amqp_url, eq, check, ok, WAIT

# Celery's default task queue: direct exchange "celery", queue "celery", routing key "celery", durable.
default_exchange = Exchange("compat_celery", type="direct", durable=True)
task_queue = Queue("compat_celery", default_exchange, routing_key="compat_celery", durable=True,
                   queue_arguments=None)
# Celery's rpc:// result backend: reply queue, auto_delete, non-durable, exclusive=False
result_exchange = Exchange("compat_celeryresults", type="direct", durable=False, auto_delete=True)

with Connection(amqp_url(), connect_timeout=WAIT) as conn:
    ch = conn.channel()
    task_queue(ch).declare()
    task_queue(ch).purge()
    # declare twice (idempotent redeclare with identical args must succeed)
    task_queue(ch).declare()
    reply_name = str(uuid.uuid4())
    reply_q = Queue(reply_name, result_exchange, routing_key=reply_name, durable=False, auto_delete=True)
    reply_q(ch).declare()

    producer = Producer(ch, exchange=default_exchange, serializer="json")
    task_id = str(uuid.uuid4())
    # Celery protocol 2 shape
    producer.publish(
        [[2, 3], {}, {"callbacks": None, "errbacks": None, "chain": None, "chord": None}],
        routing_key="compat_celery", declare=[task_queue], retry=True,
        retry_policy={"max_retries": 3, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
        headers={"lang": "py", "task": "tasks.add", "id": task_id, "root_id": task_id, "parent_id": None,
                 "group": None, "retries": 0, "eta": None, "expires": None, "timelimit": [None, None],
                 "argsrepr": "(2, 3)", "kwargsrepr": "{}", "origin": "gen1@host"},
        correlation_id=task_id, reply_to=reply_q.name, delivery_mode=2, priority=0,
        content_encoding="utf-8")

    # worker
    seen = []

    def on_task(body, message):
        args, kwargs, embed = body
        eq(message.headers["task"], "tasks.add", "task header")
        eq(message.headers["timelimit"], [None, None], "timelimit header")
        eq(message.headers["parent_id"], None, "None header")
        result = sum(args)
        Producer(message.channel, exchange=result_exchange, serializer="json").publish(
            {"task_id": message.properties["correlation_id"], "status": "SUCCESS", "result": result},
            routing_key=message.properties["reply_to"], correlation_id=message.properties["correlation_id"],
            declare=[result_exchange])
        seen.append(message.headers["id"])
        message.ack()

    wch = conn.channel()
    wch.basic_qos(0, 4, False)
    with Consumer(wch, queues=[task_queue], callbacks=[on_task], accept=["json"]):
        while not seen:
            try:
                conn.drain_events(timeout=WAIT)
            except socket.timeout:
                break
    eq(seen, [task_id], "task consumed")

    results = []
    with Consumer(ch, queues=[reply_q], callbacks=[lambda b, m: (results.append(b), m.ack())], accept=["json"]):
        try:
            conn.drain_events(timeout=WAIT)
        except socket.timeout:
            pass
    eq(results, [{"task_id": task_id, "status": "SUCCESS", "result": 5}], "result message")
    task_queue(ch).delete()
    default_exchange(ch).delete()
ok("kombu celery-style")
