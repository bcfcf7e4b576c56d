"""The UserSide emulator every test of this folder talks to (in its default mode)."""

import pytest

from tests.emulators.userside import UsersideEmulator


@pytest.fixture
def server(serve):
    return serve(UsersideEmulator)
