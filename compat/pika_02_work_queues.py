"""Tutorial 2: Work queues (durable queue, persistent messages, prefetch 1, manual ack, fair dispatch)."""
import threading
import time
import pika
from common import connect, eq, check, ok, WAIT

Q = "task_queue"
conn = connect()
ch = conn.channel()
ch.queue_delete(Q)
ch.queue_declare(queue=Q, durable=True)

# Task "weights": number of dots = seconds of simulated work (scaled down).
tasks = ["slow....................", "fast.", "fast..", "fast.", "fast..", "fast.", "fast.", "fast.."]
UNIT = 0.1

results = {}
errors = []
ready = threading.Barrier(3)


def worker(name):
    try:
        c = connect()
        wch = c.channel()
        wch.queue_declare(queue=Q, durable=True)
        wch.basic_qos(prefetch_count=1)
        got = results.setdefault(name, [])
        inflight = [0]

        def cb(chan, method, props, body):
            inflight[0] += 1
            check(inflight[0] == 1, "%s has more than one unacked message (prefetch=1)" % name)
            check(props.delivery_mode == 2,
                  "delivery_mode %r" % props.delivery_mode)
            got.append(body.decode())
            time.sleep(body.count(b".") * UNIT)
            inflight[0] -= 1
            chan.basic_ack(delivery_tag=method.delivery_tag)

        wch.basic_consume(queue=Q, on_message_callback=cb)
        ready.wait(WAIT)
        deadline = time.monotonic() + WAIT * 2
        while time.monotonic() < deadline and sum(len(v) for v in results.values()) < len(tasks):
            c.process_data_events(time_limit=0.1)
        c.close()
    except Exception as e:  # noqa
        errors.append("%s: %r" % (name, e))


threads = [threading.Thread(target=worker, args=("w%d" % i,)) for i in (1, 2)]
for t in threads:
    t.start()
ready.wait(WAIT)
time.sleep(0.3)  # let both consumers register
for t in tasks:
    ch.basic_publish(exchange="", routing_key=Q, body=t,
                     properties=pika.BasicProperties(delivery_mode=2))
for t in threads:
    t.join(WAIT * 3)
    check(not t.is_alive(), "worker thread hung")
check(not errors, "worker errors: %s" % errors)

all_got = sorted(results["w1"] + results["w2"])
eq(all_got, sorted(tasks), "all tasks processed exactly once")
# fair dispatch: while one worker is busy with the slow task (2 s) the other one, which is
# free, must receive every fast task (1 s in total), in queue order.
slow_task = tasks[0]
slow_worker = "w1" if slow_task in results["w1"] else "w2"
other = "w2" if slow_worker == "w1" else "w1"
eq(results[slow_worker], [slow_task], "fair dispatch: slow worker's tasks")
eq(results[other], tasks[1:], "fair dispatch: free worker's tasks")
m = ch.queue_declare(queue=Q, durable=True, passive=True)
eq(m.method.message_count, 0, "queue empty after acks")
eq(m.method.consumer_count, 0, "no consumers left")
ch.queue_delete(Q)
conn.close()
ok("work queues %r" % results)
