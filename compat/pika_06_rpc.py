"""Tutorial 6: RPC (callback queue + correlation_id), plus direct reply-to variant."""
import threading
import time
import uuid
import pika
from common import connect, eq, check, ok, WAIT

RPC_Q = "rpc_queue"
stop = threading.Event()
server_errors = []
server_ready = threading.Event()


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def server():
    try:
        c = connect()
        ch = c.channel()
        ch.queue_declare(queue=RPC_Q)
        ch.basic_qos(prefetch_count=1)

        def on_request(chan, method, props, body):
            n = int(body)
            chan.basic_publish(exchange="", routing_key=props.reply_to,
                               properties=pika.BasicProperties(correlation_id=props.correlation_id),
                               body=str(fib(n)))
            chan.basic_ack(delivery_tag=method.delivery_tag)

        ch.basic_consume(queue=RPC_Q, on_message_callback=on_request)
        server_ready.set()
        deadline = time.monotonic() + WAIT * 4
        while not stop.is_set() and time.monotonic() < deadline:
            c.process_data_events(time_limit=0.1)
        c.close()
    except Exception as e:  # noqa
        server_errors.append(repr(e))
        server_ready.set()


class FibonacciRpcClient:
    def __init__(self, direct_reply_to=False):
        self.connection = connect()
        self.channel = self.connection.channel()
        if direct_reply_to:
            self.callback_queue = "amq.rabbitmq.reply-to"
        else:
            result = self.channel.queue_declare(queue="", exclusive=True)
            self.callback_queue = result.method.queue
        self.channel.basic_consume(queue=self.callback_queue, on_message_callback=self.on_response,
                                   auto_ack=True)
        self.response = None
        self.corr_id = None
        self.stray = []

    def on_response(self, ch, method, props, body):
        if self.corr_id == props.correlation_id:
            self.response = body
        else:
            self.stray.append((props.correlation_id, body))

    def call(self, n):
        self.response = None
        self.corr_id = str(uuid.uuid4())
        self.channel.basic_publish(exchange="", routing_key=RPC_Q,
                                   properties=pika.BasicProperties(reply_to=self.callback_queue,
                                                                   correlation_id=self.corr_id),
                                   body=str(n))
        deadline = time.monotonic() + WAIT
        while self.response is None and time.monotonic() < deadline:
            self.connection.process_data_events(time_limit=0.1)
        check(self.response is not None, "no RPC response for fib(%d) (reply_to=%s)" % (n, self.callback_queue))
        return int(self.response)


t = threading.Thread(target=server)
t.start()
server_ready.wait(WAIT)
try:
    check(not server_errors, "server: %s" % server_errors)
    for variant in (False, True):
        client = FibonacciRpcClient(direct_reply_to=variant)
        for n in (0, 1, 10, 20):
            eq(client.call(n), fib(n), "fib(%d) direct_reply_to=%s" % (n, variant))
        eq(client.stray, [], "stray responses")
        client.connection.close()
        ok("rpc direct_reply_to=%s" % variant)
finally:
    stop.set()
    t.join(WAIT * 5)
check(not server_errors, "server: %s" % server_errors)
c = connect()
# direct reply-to without consuming from amq.rabbitmq.reply-to first -> 406 PRECONDITION_FAILED
bad = c.channel()
try:
    bad.basic_publish(exchange="", routing_key=RPC_Q, body="1",
                      properties=pika.BasicProperties(reply_to="amq.rabbitmq.reply-to"))
    bad.queue_declare(queue="", exclusive=True)  # synchronous round trip to surface the error
    check(False, "publish with reply_to=amq.rabbitmq.reply-to without a reply consumer was accepted")
except pika.exceptions.ChannelClosedByBroker as e:
    eq(e.reply_code, 406, "direct reply-to without consumer reply_code")
c.channel().queue_delete(RPC_Q)
c.close()
ok("rpc")
