import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.backend import EntityBackend
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.errors import ValidationError
from ansible_collections.isp.provisioning.plugins.module_utils.values import blank_as_none

YES_NO = {True: "YES", False: "NO"}

SPEC = EntitySpec(
    name="customer",
    plural="customers",
    identity="sn",
    label="test customer",
    fields=[
        Field("sn", lookup=True),
        Field("name", create_requires=True, decode=blank_as_none),
        Field("enabled", type="bool", wire="state", encode=YES_NO.get,
              decode=lambda value: value == "YES"),
        Field("mac", read="macaddress"),
        Field("reset", type="bool", read=False, encode=lambda value: "Y" if value else None),
        Field("id", readonly=True),
    ],
)


class Listed(EntityBackend):
    spec = SPEC

    def __init__(self, rows):
        super().__init__()
        self.rows = rows

    def read_all(self):
        return [self.from_wire(row) for row in self.rows]


def test_to_wire_uses_write_names_and_encoders_and_skips_unset_and_readonly():
    backend = Listed([])
    wire = backend.to_wire(
        {"sn": "A1", "name": None, "enabled": False, "mac": "aa", "reset": True, "id": "9"})
    assert wire == {"sn": "A1", "state": "NO", "mac": "aa", "reset": "Y"}


def test_from_wire_uses_read_names_and_decoders():
    record = Listed([]).from_wire(
        {"sn": "A1", "name": "", "state": "YES", "macaddress": "aa", "id": 9, "reset": "Y"})
    assert record == {"sn": "A1", "name": None, "enabled": True, "mac": "aa", "id": "9"}


def test_the_base_check_refuses_a_create_without_what_the_backend_requires():
    backend = Listed([])
    with pytest.raises(ValidationError, match="name is required to create it"):
        backend.check("create", {"sn": "A1", "name": ""}, None, {})
    backend.check("create", {"sn": "A1", "name": "n"}, None, {})
    backend.check("update", {"sn": "A1", "name": ""}, {"sn": "A1"}, {"name": ""})


def test_search_matches_lookups_and_filters_on_one_read():
    backend = Listed([{"sn": "A1", "name": "lab-1"}, {"sn": "B2", "name": "lab-2"},
                      {"sn": "C3", "name": "prod"}])
    found = backend.search({"sn": None, "filters": {"name": "lab-*"}})
    assert [record["sn"] for record in found] == ["A1", "B2"]
    found = backend.search({"sn": "B*", "filters": {"name": "lab-*"}})
    assert [record["sn"] for record in found] == ["B2"]


def test_fetch_and_scope_are_by_identity():
    backend = Listed([{"sn": "A1", "name": "lab-1"}, {"sn": "C3", "name": "prod"}])
    assert set(backend.fetch(["A1", "Z9"])) == {"A1"}
    assert set(backend.in_scope({"name": "lab-*"})) == {"A1"}


def test_for_task_is_the_class_itself_unless_an_adapter_says_otherwise():
    assert Listed.for_task({"anything": 1}) is Listed
