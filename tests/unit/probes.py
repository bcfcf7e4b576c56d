"""Probes for unit tests: the emulator's control API, the requests a client has in
flight, a module run in-process as Ansible runs it, and what a module's argument
spec reads from the environment."""

import importlib
import json
import os
import threading
from unittest import mock

import pytest
import requests
import yaml
from ansible.module_utils.testing import patch_module_args

from ansible_collections.isp.provisioning.plugins.module_utils import runner

COLLECTION = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def control(server, what, method="GET", body=None):
    """The emulator's control API (/_emulator/...), over HTTP as any client sees it."""
    answer = requests.request(method, f"{server.root}/_emulator/{what}", json=body, timeout=5)
    answer.raise_for_status()
    return answer.json()


def in_flight(target, method="request"):
    """Count the calls of ``target``'s ``method`` in flight (an HTTP session's requests,
    by default); ``["most"]``: the most at once."""
    lock = threading.Lock()
    counts = {"now": 0, "most": 0}
    send = getattr(target, method)

    def request(*args, **kwargs):
        with lock:
            counts["now"] += 1
            counts["most"] = max(counts["most"], counts["now"])
        try:
            return send(*args, **kwargs)
        finally:
            with lock:
                counts["now"] -= 1

    setattr(target, method, request)
    return counts


def run_module(main, args, capsys):
    """Run a module's ``main`` with these task options: (exit code, the JSON it printed)."""
    with patch_module_args(args), pytest.raises(SystemExit) as exited:
        main()
    return exited.value.code, json.loads(capsys.readouterr().out)


class _ArgumentSpec(Exception):
    pass


def module_argument_spec(name):
    """The argument spec module ``name`` (``onu_customer``) gives AnsibleModule."""
    module = importlib.import_module(f"ansible_collections.isp.provisioning.plugins.modules.{name}")

    def stop_with(spec, *_args, **_kwargs):
        raise _ArgumentSpec(spec)

    with mock.patch.object(runner, "ansible_module", stop_with), \
            pytest.raises(_ArgumentSpec) as given:
        module.main()
    return given.value.args[0]


def environment_variables(spec):
    """Option -> the environment variable it falls back to, for every option that does."""
    return {name: option["fallback"][1][0]
            for name, option in spec.items() if "fallback" in option}


def backend_module_names():
    """The modules that talk to a backend: those of meta/runtime.yml's backend groups
    (subscriber_export, which only writes files, is in none)."""
    with open(os.path.join(COLLECTION, "meta", "runtime.yml")) as handle:
        groups = yaml.safe_load(handle)["action_groups"]
    return sorted(name for group, names in groups.items() if group != "all" for name in names)
