"""The opt-in token cache: private, tied to the password, and never a reason to fail."""

import os
import stat

from ansible_collections.isp.provisioning.plugins.module_utils.onu.token_cache import TokenCache
from tests.emulators.onu import OnuEmulator


def test_the_token_cache_is_private_and_reused(serve, connect, tmp_path):
    running = serve(OnuEmulator, nbf_delay=0)
    cache = TokenCache(running.url, "operator", "operator123", directory=str(tmp_path / "c"))
    first = connect(running, cache=cache)
    first.customers()
    assert stat.S_IMODE(os.stat(cache.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(str(tmp_path / "c")).st_mode) == 0o700
    second = connect(running, cache=cache)
    assert second.token() == first.token()


def test_the_token_cache_serves_only_the_right_password_and_not_near_expiry(tmp_path):
    folder = str(tmp_path / "cache")
    right = TokenCache("http://onu/API/", "op", "right", directory=folder)
    wrong = TokenCache("http://onu/API/", "op", "wrong", directory=folder)
    assert right.save("token-1", expires=1000) is None
    assert right.load(valid_until=999) == "token-1"
    assert right.load(valid_until=1000) is None
    assert wrong.load(valid_until=0) is None
    assert "right" not in open(right.path).read()


def test_the_token_cache_refuses_a_folder_others_can_enter(tmp_path):
    folder = tmp_path / "open"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    cache = TokenCache("http://onu/API/", "op", "pw", directory=str(folder))
    assert "chmod 700" in cache.save("token-1", expires=10 ** 10)
    assert not os.path.exists(cache.path)
    assert cache.load(valid_until=0) is None


def test_an_unusable_token_cache_is_a_warning_not_a_failure(serve, connect, tmp_path):
    running = serve(OnuEmulator, nbf_delay=0)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    cache = TokenCache(running.url, "operator", "operator123", directory=str(blocker / "c"))
    onu = connect(running, cache=cache)
    assert len(onu.customers()) == 4
    assert any("token cache is not used" in warning for warning in onu.warnings)
