"""Tutorial 5: Topics (topic exchange with * and #)."""
from common import connect, eq, ok, collect, drain_extra

conn = connect()
ch = conn.channel()
ch.exchange_declare(exchange="topic_logs", exchange_type="topic")

bindings = {
    "all": ["#"],
    "kern": ["kern.*"],
    "crit": ["*.critical"],
    "kern_or_crit": ["kern.*", "*.critical"],
    "lazy": ["lazy.#"],
    "orange": ["*.orange.*"],
    "rabbit": ["*.*.rabbit"],
    "deep": ["a.#.z"],
}
queues = {}
for name, keys in bindings.items():
    q = ch.queue_declare(queue="", exclusive=True).method.queue
    for k in keys:
        ch.queue_bind(exchange="topic_logs", queue=q, routing_key=k)
    queues[name] = q

keys = ["kern.critical", "kern.info", "cron.critical", "anonymous.info", "kern", "kern.a.b",
        "quick.orange.rabbit", "lazy.orange.elephant", "quick.orange.fox", "lazy.brown.fox",
        "lazy", "quick.brown.fox", "orange", "quick.orange.male.rabbit", "lazy.orange.male.rabbit",
        "a.z", "a.b.z", "a.b.c.z", "a.b", "", "..", "a..z"]
for k in keys:
    ch.basic_publish(exchange="topic_logs", routing_key=k, body="msg:" + k)

expected = {
    "all": keys,
    "kern": ["kern.critical", "kern.info"],
    "crit": ["kern.critical", "cron.critical"],
    "kern_or_crit": ["kern.critical", "kern.info", "cron.critical"],
    "lazy": ["lazy.orange.elephant", "lazy.brown.fox", "lazy", "lazy.orange.male.rabbit"],
    "orange": ["quick.orange.rabbit", "lazy.orange.elephant", "quick.orange.fox"],
    "rabbit": ["quick.orange.rabbit"],
    "deep": ["a.z", "a.b.z", "a.b.c.z", "a..z"],
}
failures = []
for name, exp in expected.items():
    got = collect(conn, ch, queues[name], len(exp), timeout=2)
    got_keys = [b.decode()[4:] for _, _, b in got] + [b.decode()[4:] for b in drain_extra(conn, ch, queues[name], 0.3)]
    if got_keys != exp:
        failures.append("%s (%s): expected %r got %r" % (name, bindings[name], exp, got_keys))
ch.exchange_delete("topic_logs")
conn.close()
eq(failures, [], "topic routing")
ok("topics")
