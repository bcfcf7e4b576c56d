from ansible_collections.isp.provisioning.plugins.module_utils.backend import matches
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.values import as_text, casefold

SPEC = EntitySpec(
    name="customer",
    plural="customers",
    identity="sn",
    fields=[
        Field("sn"),
        Field("email", normalise=casefold),
        Field("service", normalise=as_text),
        Field("password", no_log=True),
        Field("id", readonly=True),
    ],
)


def test_argument_spec_of_a_bulk_record_requires_the_identity_and_takes_a_state():
    spec = SPEC.record_argument_spec()
    assert spec["sn"]["required"] is True
    assert spec["state"] == {"type": "str", "choices": ["present", "absent"]}
    assert spec["password"]["no_log"] is True
    assert "id" not in spec  # read-only fields are returned, never taken


def test_desired_keeps_only_named_fields():
    assert SPEC.desired({"sn": "A", "email": None, "service": 3, "id": "9"}) == {
        "sn": "A", "service": 3}


def test_differences_compare_normalised_values():
    current = {"sn": "A", "email": "Ops@Example.net", "service": "3"}
    assert SPEC.differences({"sn": "A", "email": "ops@example.net", "service": 3}, current) == {}
    assert SPEC.differences({"sn": "A", "service": 4}, current) == {"service": 4}


def test_matches_uses_text_globs_and_exact_booleans():
    record = {"name": "lab-7", "enabled": False, "service": 8}
    assert matches(record, {"name": "lab-*", "service": "8"})
    assert not matches(record, {"name": "prod-*"})
    assert matches(record, {"enabled": False})
    assert not matches(record, {"enabled": True})
    assert matches({"name": None}, {"name": "*"})
