"""The SIMPLer emulator every test of this folder talks to, and clients of it."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.http_session import HttpSession
from ansible_collections.isp.provisioning.plugins.module_utils.secrets import Redactor
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.client import SimplerClient
from tests.emulators.simpler import SimplerEmulator

TRANSPORTS = ["rest", "soap"]


@pytest.fixture
def server(serve):
    return serve(SimplerEmulator)


@pytest.fixture(params=TRANSPORTS)
def simpler(request, server):
    """The emulator, once per transport (``simpler.transport``)."""
    server.transport = request.param
    return server


@pytest.fixture
def connect():
    """``connect(server, transport, password=..., concurrency=..., **options)`` -> a
    SimplerClient of the emulator (its session: ``.http``)."""

    def client(server, transport="rest", password="password", concurrency=1, **options):
        http = HttpSession(server.url, timeout=5, retries=1, backoff=0, redactor=Redactor(password),
                           sleep=lambda _: None, concurrency=concurrency)
        return SimplerClient(http, "username", password, operator="operator",
                             transport=transport, **options)

    return client
