"""The collection as its users meet it: the built tarball, installed as they install it.

``python3 tasks.py packaging`` builds the tarball from a clean copy and names
it in ISP_PROVISIONING_TARBALL; run alone, these tests build it themselves.
"""

import os

import pytest

import tasks
from tests.packaging.user import run


@pytest.fixture(scope="session")
def tarball(tmp_path_factory):
    return os.environ.get("ISP_PROVISIONING_TARBALL") or tasks.build(
        str(tmp_path_factory.mktemp("built")))


@pytest.fixture(scope="session")
def installed(tarball, tmp_path_factory):
    """A collections path holding the tarball, installed by ansible-galaxy."""
    path = tmp_path_factory.mktemp("collections")
    run(["ansible-galaxy", "collection", "install", tarball, "-p", str(path)])
    return path


@pytest.fixture(scope="session")
def collection(installed):
    """The installed collection's own folder."""
    return installed / "ansible_collections" / "isp" / "provisioning"
