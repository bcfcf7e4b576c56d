"""The CRM emulator, served for this folder's tests."""

import pytest

from tests.emulators.crm import CrmEmulator


@pytest.fixture
def crm(serve):
    return serve(CrmEmulator)
