"""Clients of the ONU emulator, for every test of this folder that talks to it."""

import time

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.http_session import HttpSession
from ansible_collections.isp.provisioning.plugins.module_utils.onu.client import OnuClient
from ansible_collections.isp.provisioning.plugins.module_utils.secrets import Redactor


@pytest.fixture
def connect():
    """``connect(running, username, password, cache, clock)`` -> an OnuClient of the emulator."""

    def client(running, username="operator", password="operator123", cache=None, clock=time.time):
        http = HttpSession(running.url, timeout=10, redactor=Redactor(password))
        return OnuClient(http, username, password, cache, clock=clock)

    return client
