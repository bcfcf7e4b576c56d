"""Serve an emulator with waitress, in the foreground or in a background thread."""

import logging
import threading

from waitress.server import create_server

# Requests served at once. Without a latency the emulator is bound by CPU (and
# by the GIL): more threads than a few answer no sooner, but contend for the
# GIL at every SQLite call and socket write - at 16 keep-alive connections, 12
# context switches a request and a fifth more CPU than with 4 threads, which
# take the requests in turn.
THREADS = 4
# While answering sleeps (an injected latency, the ONU's slow updates), K shard
# hosts (or slices) each sending `concurrency` requests must not queue behind
# the emulator's sleeping threads, or the benchmark would measure the
# emulator's thread count.
LATENCY_THREADS = 32


def make_server(emulator, host="127.0.0.1", port=0):
    # waitress sets TCP_NODELAY on every connection by default: many small
    # keep-alive requests would otherwise wait 40 ms each.
    server = create_server(
        emulator.app,
        host=host,
        port=port,
        threads=THREADS,
        ident="emulator",
        clear_untrusted_proxy_headers=True,
    )
    emulator.watch_sleeps(lambda sleeps: server.task_dispatcher.set_thread_count(
        LATENCY_THREADS if sleeps else THREADS))
    # Requests waiting for a thread are the rule (see THREADS), not worth a
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
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def stop(self):
        """Close every connection from inside the server's own loop, so that the
        loop ends instead of polling sockets another thread closed under it."""

        def close_all():
            for channel in list(self.server._map.values()):
                channel.close()

        try:
            self.server.trigger.pull_trigger(close_all)
        except OSError:
            pass  # the trigger is closed: the loop is ending already
        self.thread.join(10)
        self.server.task_dispatcher.shutdown()
        self.emulator.store.conn.close()


def start(emulator, host="127.0.0.1", port=0):
    """Serve ``emulator`` from a thread; ``stop()`` the result when done."""
    return Running(emulator, host, port)
