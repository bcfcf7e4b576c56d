"""Probes for unit tests: the emulator's control API, and the requests a client has in flight."""

import threading

import requests


def control(server, what, method="GET", body=None):
    """The emulator's control API (/_emulator/...), over HTTP as any client sees it."""
    answer = requests.request(method, f"{server.root}/_emulator/{what}", json=body, timeout=5)
    answer.raise_for_status()
    return answer.json()


def in_flight(http):
    """Count the requests ``http`` has in flight; ``["most"]``: the most at once."""
    lock = threading.Lock()
    counts = {"now": 0, "most": 0}
    send = http.request

    def request(*args, **kwargs):
        with lock:
            counts["now"] += 1
            counts["most"] = max(counts["most"], counts["now"])
        try:
            return send(*args, **kwargs)
        finally:
            with lock:
                counts["now"] -= 1

    http.request = request
    return counts
