"""Serve an emulator with waitress, in the foreground or in a background thread."""

import logging
import threading
from collections import deque

from waitress import wasyncore
from waitress.server import create_server
from waitress.task import ThreadedTaskDispatcher

# While no answer sleeps, the emulator is bound by CPU (and by its GIL): each
# request is answered in the server's own loop, between two polls of its
# sockets (InlineDispatcher). Handing it to a thread instead cost a third of
# the emulator's CPU at 16 keep-alive connections (the 20,000-subscriber
# bench: 32.6-38.2 s against 21.6-22.3 s): a condition notified, a thread
# woken, the GIL passed to and fro several times a request.
#
# While answering sleeps (an injected latency, the ONU's slow updates), K shard
# hosts (or slices) each sending `concurrency` requests must not queue behind
# the emulator's sleeping threads, or the benchmark would measure the
# emulator's thread count.
LATENCY_THREADS = 32
# The threads kept while answering inline: they finish the requests taken
# while answering slept.
THREADS = 1


class InlineDispatcher:
    """waitress's task dispatcher that, while no answer sleeps, keeps each request
    for :func:`run` to answer in the server's loop; while answers sleep, gives it
    to one of ``LATENCY_THREADS`` threads."""

    def __init__(self):
        self.threaded = ThreadedTaskDispatcher()
        self.pending = deque()  # filled by the loop, and by a thread finishing a request
        self.inline = True

    def serve_inline(self, inline):
        self.inline = inline
        self.threaded.set_thread_count(THREADS if inline else LATENCY_THREADS)

    def add_task(self, channel):
        if self.inline:
            self.pending.append(channel)
        else:
            self.threaded.add_task(channel)

    def answer_pending(self):
        """Answer the requests kept (a connection's next one is kept as its last is
        answered), each as a waitress thread would; once answers sleep (an answer
        here injected a latency), give the rest to the threads."""
        while self.pending:
            channel = self.pending.popleft()
            if not self.inline:
                self.threaded.add_task(channel)
                continue
            try:
                channel.service()
            except BaseException:  # noqa: BLE001 - logged and survived, as a thread does
                self.threaded.logger.exception("Exception when servicing %r", channel)

    def shutdown(self, cancel_pending=True, timeout=5):
        while cancel_pending and self.pending:
            self.pending.popleft().cancel()
        return self.threaded.shutdown(cancel_pending, timeout)


def run(server):
    """``server.run()``: waitress's loop, answering the requests it read after each poll."""
    dispatcher = server.task_dispatcher
    adj = server.adj
    try:
        while server._map:
            wasyncore.loop(adj.asyncore_loop_timeout, adj.asyncore_use_poll, server._map, count=1)
            dispatcher.answer_pending()
    except (SystemExit, KeyboardInterrupt):
        dispatcher.shutdown()


def make_server(emulator, host="127.0.0.1", port=0):
    # waitress sets TCP_NODELAY on every connection by default: many small
    # keep-alive requests would otherwise wait 40 ms each.
    dispatcher = InlineDispatcher()
    server = create_server(
        emulator.app,
        host=host,
        port=port,
        ident="emulator",
        clear_untrusted_proxy_headers=True,
        # An answer is buffered whole, never waited on: in the loop, a writer held
        # at waitress's high-water mark (16 MB) would wait for the loop itself.
        outbuf_high_watermark=2**62,
        _dispatcher=dispatcher,
    )
    emulator.watch_sleeps(lambda sleeps: dispatcher.serve_inline(not sleeps))
    # Requests waiting for a thread are the rule while answers sleep, not worth a
    # warning each, which waitress would log at every one of them.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    return server


def url_of(server, emulator):
    host = server.effective_host
    if ":" in host:
        host = "[%s]" % host
    return "http://%s:%s%s" % (host, server.effective_port, emulator.base_path)


class Running:
    """An emulator served from a thread: ``.url``, ``.root``, ``.stop()``."""

    def __init__(self, emulator, host="127.0.0.1", port=0):
        self.emulator = emulator
        self.server = make_server(emulator, host, port)
        self.url = url_of(self.server, emulator)
        self.root = self.url[: len(self.url) - len(emulator.base_path)]
        self.thread = threading.Thread(target=run, args=(self.server,), daemon=True)
        self.thread.start()

    def stop(self):
        stop(self.server, self.thread)
        self.emulator.store.conn.close()


def stop(server, loop):
    """Close every connection from inside the server's own loop, so that the loop
    (running on the thread ``loop``) ends instead of polling sockets another thread
    closed under it."""

    def close_all():
        for channel in list(server._map.values()):
            channel.close()

    try:
        server.trigger.pull_trigger(close_all)
    except OSError:
        pass  # the trigger is closed: the loop is ending already
    loop.join(10)
    server.task_dispatcher.shutdown()


def start(emulator, host="127.0.0.1", port=0):
    """Serve ``emulator`` from a thread; ``stop()`` the result when done."""
    return Running(emulator, host, port)
