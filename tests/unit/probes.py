"""Probes for unit tests: the emulator's control API, the requests a client has in
flight, and a module run in-process as Ansible runs it."""

import json
import threading

import pytest
import requests
from ansible.module_utils.testing import patch_module_args


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


def run_module(main, args, capsys):
    """Run a module's ``main`` with these task options: (exit code, the JSON it printed)."""
    with patch_module_args(args), pytest.raises(SystemExit) as exited:
        main()
    return exited.value.code, json.loads(capsys.readouterr().out)
