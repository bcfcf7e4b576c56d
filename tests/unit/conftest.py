"""Shared fixtures: an emulator served in-process on a free loopback port."""

import os

import pytest

from tests.emulators.server import start


@pytest.fixture
def serve(tmp_path):
    """``serve(EmulatorClass, **config)`` -> a running emulator (``.url``, ``.root``, ``.emulator``)."""
    running = []

    def serve_one(emulator_class, faults=None, **config):
        emulator = emulator_class(os.path.join(str(tmp_path), "%d.sqlite" % len(running)),
                                  faults=faults, **config)
        running.append(start(emulator))
        return running[-1]

    yield serve_one
    for server in running:
        server.stop()
