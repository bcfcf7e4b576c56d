"""The served emulator answers in its own loop, and on enough threads for every request while
a latency is injected."""

import http.client
import json
import threading
import time
import urllib.request

from tests.emulators import server
from tests.emulators.onu import OnuEmulator
from tests.emulators.simpler import SimplerEmulator

AUTH = {"api_username": "username", "api_password": "password", "operator": "operator"}


def serving_threads(running):
    """The threads serving requests: none while requests are answered in the loop."""
    dispatcher = running.server.task_dispatcher
    if dispatcher.inline:
        return 0
    threads = dispatcher.threaded
    with threads.lock:
        return len(threads.threads) - threads.stop_count


def send(url, body=None, method="POST"):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as answer:
        return json.loads(answer.read())


def test_threads_follow_the_latency(tmp_path):
    running = server.start(SimplerEmulator(str(tmp_path / "threads.sqlite")))
    try:
        assert serving_threads(running) == 0
        send(running.root + "/_emulator/faults", {"latency_ms": 400}, "PUT")
        assert serving_threads(running) == server.LATENCY_THREADS
        # 16 requests at once sleep side by side, not 4 at a time (1.6 s).
        answers = []
        calls = [threading.Thread(target=lambda: answers.append(send(
            running.url + "restapi/API/getCustomerStatuses", AUTH))) for _call in range(16)]
        started = time.perf_counter()
        for call in calls:
            call.start()
        for call in calls:
            call.join()
        assert time.perf_counter() - started < 1.2
        assert len(answers) == 16 and all(isinstance(a["result"], list) for a in answers)
        send(running.root + "/_emulator/faults", {"latency_ms": 0}, "PUT")
        assert serving_threads(running) == 0
    finally:
        running.stop()


def test_a_latency_given_at_start_starts_every_thread(tmp_path):
    emulator = SimplerEmulator(str(tmp_path / "slow.sqlite"), faults={"latency_ms": 5})
    running = server.start(emulator)
    try:
        assert serving_threads(running) == server.LATENCY_THREADS
    finally:
        running.stop()


def test_the_onus_slow_updates_are_served_like_a_latency(tmp_path):
    # Each update sleeps a second on a thread: with the ONU client's 8 at once,
    # 4 threads would make a bulk run measure the emulator, not the backend.
    running = server.start(OnuEmulator(str(tmp_path / "onu.sqlite")))
    try:
        assert serving_threads(running) == 0
        send(running.root + "/_emulator/config", {"slow_updates": True}, "PUT")
        assert serving_threads(running) == server.LATENCY_THREADS
        send(running.root + "/_emulator/config", {"slow_updates": False}, "PUT")
        assert serving_threads(running) == 0
    finally:
        running.stop()
    started_slow = server.start(OnuEmulator(str(tmp_path / "slow.sqlite"), slow_updates=True))
    try:
        assert serving_threads(started_slow) == server.LATENCY_THREADS
    finally:
        started_slow.stop()


class Streamed:
    """An emulator's face to the server: a WSGI app that answers ``/big`` with 24 MB
    written in 1 MB pieces, and any other path with the path itself."""

    base_path = "/"
    BIG = 24

    def __init__(self):
        self.threads = set()

    def app(self, environ, start_response):
        self.threads.add(threading.current_thread().name)
        path = environ["PATH_INFO"].encode()
        if path == b"/big":
            start_response("200 OK", [("Content-Type", "text/plain"),
                                      ("Content-Length", str(self.BIG << 20))])
            return (bytes([65 + piece]) * (1 << 20) for piece in range(self.BIG))
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(path)))])
        return [path]

    @staticmethod
    def watch_sleeps(watcher):
        watcher(False)


def test_answers_are_made_in_the_servers_loop_each_to_its_own_request():
    # One thread answers 16 keep-alive connections in turn, each its own answers
    # in order, while a 24 MB answer - past waitress's 16 MB high-water mark, at
    # which a writer waits for the loop - is sent to a slow reader.
    emulator = Streamed()
    served = server.make_server(emulator)
    loop = threading.Thread(target=server.run, args=(served,), daemon=True)
    loop.start()
    port = served.effective_port
    answers, big = {}, []

    def client(number):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for call in range(25):
            connection.request("GET", "/c%d/%d" % (number, call))
            answers.setdefault(number, []).append(connection.getresponse().read())
        connection.close()

    def slow_reader():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/big")
        answer = connection.getresponse()
        time.sleep(0.5)  # the server's buffer stays full meanwhile
        big.append(answer.read())
        connection.close()

    try:
        calls = [threading.Thread(target=slow_reader)]
        calls += [threading.Thread(target=client, args=(number,)) for number in range(16)]
        for call in calls:
            call.start()
        for call in calls:
            call.join(60)
        assert not any(call.is_alive() for call in calls)
        assert answers == {number: [b"/c%d/%d" % (number, call) for call in range(25)]
                           for number in range(16)}
        assert big == [b"".join(bytes([65 + piece]) * (1 << 20) for piece in range(Streamed.BIG))]
        assert emulator.threads == {loop.name}
    finally:
        server.stop(served, loop)
