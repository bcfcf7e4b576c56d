"""The served emulator runs a few threads, and enough for every request while a latency is injected."""

import json
import threading
import time
import urllib.request

from tests.emulators import server
from tests.emulators.onu import OnuEmulator
from tests.emulators.simpler import SimplerEmulator

AUTH = {"api_username": "username", "api_password": "password", "operator": "operator"}


def serving_threads(running):
    dispatcher = running.server.task_dispatcher
    with dispatcher.lock:
        return len(dispatcher.threads) - dispatcher.stop_count


def send(url, body=None, method="POST"):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as answer:
        return json.loads(answer.read())


def test_threads_follow_the_latency(tmp_path):
    running = server.start(SimplerEmulator(str(tmp_path / "threads.sqlite")))
    try:
        assert serving_threads(running) == server.THREADS
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
        assert serving_threads(running) == server.THREADS
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
        assert serving_threads(running) == server.THREADS
        send(running.root + "/_emulator/config", {"slow_updates": True}, "PUT")
        assert serving_threads(running) == server.LATENCY_THREADS
        send(running.root + "/_emulator/config", {"slow_updates": False}, "PUT")
        assert serving_threads(running) == server.THREADS
    finally:
        running.stop()
    started_slow = server.start(OnuEmulator(str(tmp_path / "slow.sqlite"), slow_updates=True))
    try:
        assert serving_threads(started_slow) == server.LATENCY_THREADS
    finally:
        started_slow.stop()
