"""The subscriber filters: what a template hands them, and what they refuse."""

import base64
import json
import zlib

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.isp.provisioning.plugins.filter.subscribers import (
    FilterModule,
    subscriber_plan,
    subscriber_plan_merge,
    subscriber_purge,
    subscriber_records,
    subscriber_records_unpacked,
)

ANA = {"id": "SUB-1", "name": {"first": "Ana", "last": "Petrova"}, "state": "absent",
       "onu": {"sn": "SN1"}, "ipdr": {}}


def test_every_filter_is_registered():
    assert set(FilterModule().filters()) == {"subscriber_records", "subscriber_records_unpacked",
                                             "subscriber_purge", "subscriber_plan",
                                             "subscriber_plan_merge"}


def test_records_fan_out():
    fanned = subscriber_records([ANA])
    assert fanned["onu"]["records"] == [{"sn": "SN1", "state": "absent"}]
    assert fanned["ipdr"]["records"] == []  # kept by default


@pytest.mark.parametrize("flag", [True, "true", "yes", "True"])
def test_options_given_as_text_by_a_template(flag):
    fanned = subscriber_records([ANA], ipdr_delete_absent=flag)
    assert fanned["ipdr"]["records"] == [{"user_id": "SUB-1", "state": "absent"}]


@pytest.mark.parametrize("flag", [False, "false", "no", "", None])
def test_false_given_as_text_is_false(flag):
    assert subscriber_records([ANA], ipdr_delete_absent=flag)["ipdr"]["records"] == []


def test_a_flag_that_is_no_flag():
    with pytest.raises(AnsibleFilterError, match="ipdr_delete_absent must be true or false"):
        subscriber_records([ANA], ipdr_delete_absent="perhaps")


def test_billing_suspended_status():
    suspended = dict(ANA, state="suspended", billing={})
    fanned = subscriber_records([suspended], billing_suspended_status="unused")
    assert fanned["billing"]["records"][0]["customerstatus"] == "unused"


def test_every_problem_and_nothing_sent():
    with pytest.raises(AnsibleFilterError) as raised:
        subscriber_records([ANA, {"id": "SUB-1"}, {"id": "SUB-2", "onu": {"sn": "SN1"}},
                            {"id": "SUB-3", "colour": "blue"}])
    message = str(raised.value)
    assert message.startswith("the subscribers have 3 problems; nothing was sent to any backend: ")
    assert "unknown key colour" in message
    assert "subscriber id SUB-1 is also used by subscribers[0]" in message
    assert "onu.sn 'SN1' is also claimed by subscribers[0]: subscriber SUB-1" in message


def test_not_a_list():
    with pytest.raises(AnsibleFilterError, match="must be a list of subscriber records, got dict"):
        subscriber_records(ANA)


@pytest.mark.parametrize("packed", [False, True])
def test_the_plan_of_a_run(packed):
    fanned = subscriber_records([ANA], records_packed=packed)
    result = subscriber_plan(fanned, {"onu": {"results": [{"action": "delete", "index": 0}]}}, [ANA],
                             check_mode="True")
    assert result["check_mode"] is True
    assert result["subscribers"] == [{"id": "SUB-1", "state": "absent", "backends": {
        "onu": {"action": "delete"}, "ipdr": {"action": "keep"}}}]


def test_subscribers_given_as_json_text_as_the_inventory_plugin_gives_them():
    text = json.dumps([ANA])
    assert subscriber_records(text) == subscriber_records([ANA])
    fanned = subscriber_records(text, records_as_json=True)
    assert json.loads(fanned["onu"]["records"]) == [{"sn": "SN1", "state": "absent"}]
    assert fanned["onu"]["owners"] == ["SUB-1"]  # what the plan and the role read as lists
    result = subscriber_plan(fanned, {"onu": {"results": [{"action": "delete", "index": 0}]}}, text)
    assert result["subscribers"][0]["backends"]["onu"] == {"action": "delete"}


def test_records_packed_are_each_section_s_records_unpacked_in_a_twelfth_of_their_text():
    many = [dict(ANA, id=f"SUB-{n}", state="active", onu={"sn": f"SN{n}"}) for n in range(500)]
    fanned = subscriber_records(many, records_packed=True)
    listed = subscriber_records(many)
    for name, section in fanned.items():
        assert subscriber_records_unpacked(section["records"]) == listed[name]["records"]
        # as the JSON text of the list, for the entity module's *_json option
        text = subscriber_records_unpacked(section["records"], as_json=True)
        assert isinstance(text, str) and json.loads(text) == listed[name]["records"]
        # the ids as their JSON texts, read by the plan and the purge
        assert {part: json.loads(section[part]) for part in ("owners", "kept", "keepers")} == {
            part: listed[name][part] for part in ("owners", "kept", "keepers")}
        assert section["count"] == listed[name]["count"] == len(listed[name]["records"])
    as_json = subscriber_records(many, records_as_json=True)["onu"]["records"]
    assert len(fanned["onu"]["records"]) * 8 < len(as_json)


def _packed(text):
    return base64.b64encode(zlib.compress(text.encode())).decode("ascii")


# Packed like records but not a list of them: not JSON, or JSON of another kind.
@pytest.mark.parametrize("value", ["[]", "not packed!", 7, None, _packed("{'a': 1}"),
                                   _packed('{"sn": "SN1"}')])
@pytest.mark.parametrize("as_json", [False, True])
def test_only_packed_records_unpack(value, as_json):
    with pytest.raises(AnsibleFilterError, match="packed .records_packed=true."):
        subscriber_records_unpacked(value, as_json=as_json)


def test_subscribers_text_that_is_not_json():
    with pytest.raises(AnsibleFilterError, match="given as text are not JSON"):
        subscriber_records("[{'id': 'SUB-1'}]")
    with pytest.raises(AnsibleFilterError, match="must be a list of subscriber records, got dict"):
        subscriber_records(json.dumps(ANA))


def test_the_plan_needs_the_fan_out_and_the_results():
    with pytest.raises(AnsibleFilterError, match="takes the output of subscriber_records"):
        subscriber_plan([], {}, [ANA])


@pytest.mark.parametrize("packed", [False, True])
def test_the_purge_of_a_run(packed):
    fanned = subscriber_records([ANA], records_packed=packed)
    options = subscriber_purge(fanned, ["ipdr"], {}, "5")  # -e gives numbers as text
    assert options["ipdr"] == {
        "purge": True, "purge_scope": {"user_id": "*"}, "purge_limit": 5,
        "purge_shard": {"index": 0, "count": 1, "by": "user_id", "keep": ["SUB-1"]}}
    assert subscriber_purge(fanned)["onu"] == {"purge": False}
    # -e subscribers_purge=onu,ipdr
    assert [n for n, o in subscriber_purge(fanned, "onu, ipdr").items() if o["purge"]] == [
        "onu", "ipdr"]


def test_a_shards_keep_given_as_text_is_its_list():
    # The inventory plugin gives each section's keep as one JSON text.
    shard = {"index": 1, "count": 4, "keep": {"ipdr": '["SUB-7","SUB-9"]', "onu": []}}
    options = subscriber_purge(subscriber_records([ANA]), ["ipdr", "onu"], {}, 5, shard)
    assert options["ipdr"]["purge_shard"] == {
        "index": 1, "count": 4, "by": "user_id", "keep": ["SUB-7", "SUB-9"]}
    assert options["onu"]["purge_shard"]["keep"] == []
    with pytest.raises(AnsibleFilterError, match="subscribers_shard.keep.ipdr given as text"):
        subscriber_purge(subscriber_records([ANA]), ["ipdr"], {}, 5,
                         dict(shard, keep={"ipdr": "SUB-7,SUB-9"}))
    # numbers are identities too (a YAML identity may read as one)
    numbers = subscriber_purge(subscriber_records([ANA]), ["ipdr"], {}, 5,
                               dict(shard, keep={"ipdr": "[7, \"SUB-9\"]"}))
    assert numbers["ipdr"]["purge_shard"]["keep"] == [7, "SUB-9"]


@pytest.mark.parametrize("kept, problem", [
    ('"SUB-7"', "must be a list, got str"),
    ("null", "must be a list, got null"),
    ('{"a": 1}', "must be a list, got dict"),
    ("7", "must be a list, got int"),
    ('["SUB-7", null]', "must be texts or whole numbers, one is null"),
    ("[true]", "must be texts or whole numbers, one is bool"),
    (None, "must be a list, got null"),
    ({"a": 1}, "must be a list, got dict"),
    (["SUB-7", ["SUB-9"]], "must be texts or whole numbers, one is list"),
    ([1.5], "must be texts or whole numbers, one is float"),
])
def test_a_shards_keep_that_is_no_list_of_identities_is_refused(kept, problem):
    # A text would be kept by its characters, null as nothing, a mapping by its keys.
    shard = {"index": 1, "count": 4, "keep": {"ipdr": kept}}
    with pytest.raises(AnsibleFilterError) as refused:
        subscriber_purge(subscriber_records([ANA]), ["ipdr"], {}, 5, shard)
    assert f"subscribers_shard.keep.ipdr {problem}" in str(refused.value)
    assert "nothing was sent to any backend" in str(refused.value)


@pytest.mark.parametrize("args, problem", [
    ((["erp"],), "the purge cannot be run as set: erp has no default purge scope"),
    (({"onu": True},), "the sections to purge must be a list"),
    ((["onu"], ["sn"]), "the purge scopes must be a mapping"),
    ((["onu"], {}, "ten"), "the purge limit must be a whole number"),
])
def test_a_purge_that_cannot_be_run_sends_nothing(args, problem):
    with pytest.raises(AnsibleFilterError, match=problem):
        subscriber_purge(subscriber_records([ANA]), *args)


def test_the_plans_of_shards():
    fanned = subscriber_records([ANA])
    deleted = {"onu": {"results": [{"action": "delete", "index": 0}]}}
    shard_plan = subscriber_plan(fanned, deleted, [ANA])
    merged = subscriber_plan_merge([shard_plan, shard_plan], with_subscribers="yes")
    assert merged["totals"]["onu"] == {"delete": 2}
    assert len(merged["subscribers"]) == 2
    with pytest.raises(AnsibleFilterError, match="takes a list of plans"):
        subscriber_plan_merge(shard_plan)


class Lazy(dict):
    """Stands in for ansible-core 2.19's lazy dict, whose deep copy also copies its templar."""

    def __deepcopy__(self, memo):
        raise AssertionError("a template's container was deep-copied")


class LazyList(list):
    def __deepcopy__(self, memo):
        raise AssertionError("a template's container was deep-copied")


def test_what_a_template_hands_over_is_made_plain_before_it_is_validated():
    lazy = Lazy(ANA, name=Lazy(ANA["name"]), onu=Lazy(ANA["onu"]), ipdr=Lazy())
    fanned = subscriber_records(LazyList([lazy]))
    assert fanned["onu"]["records"] == [{"sn": "SN1", "state": "absent"}]
    result = subscriber_plan(Lazy(fanned), Lazy(onu=Lazy(results=LazyList([Lazy(action="delete", index=0)]))),
                             LazyList([lazy]))
    assert result["subscribers"][0]["backends"]["onu"] == {"action": "delete"}
