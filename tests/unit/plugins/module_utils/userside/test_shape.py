"""UserSide's own values and read shape: phones, dates, MACs, IPs, sets."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.errors import ValidationError
from ansible_collections.isp.provisioning.plugins.module_utils.userside import shape


def test_only_a_home_phone_is_not_read_as_the_mobile_one():
    mobile, home = shape.phones([{"number": "200", "flag_main": 0}])
    assert (mobile, home) == (None, "200")


@pytest.mark.parametrize("bad, reader", [
    ("2024-13-01", shape.date), ("5 March", shape.date), ("10.0.0", shape.ip),
    ("aa:bb", shape.mac), ("zz:zz:zz:zz:zz:zz", shape.mac),
])
def test_values_that_can_never_be_written_are_refused(bad, reader):
    with pytest.raises(ValidationError):
        reader(bad)


def test_set_steps_add_what_is_missing_and_remove_what_is_extra():
    assert shape.set_steps(["1", "2"], ["2", "3"]) == (["1"], ["3"])
    moved = shape.bindings([{"ip": "10.0.0.1", "mac": "00:00:00:00:00:01"}])
    have = shape.bindings([{"ip": "10.0.0.1", "mac": "00:00:00:00:00:02"}])
    assert shape.set_steps(moved, have) == (moved, have)
