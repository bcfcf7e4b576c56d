"""Shards of a subscriber repository, and each shard's share of a purge."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.shard import Partition, shard_of
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber import (
    SECTIONS,
    Options,
    fan_out,
    validate,
)
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_shards import (
    PURGEABLE,
    host_names,
    purge_options,
    split,
)


def subscriber(n, **extra):
    record = {"id": f"SUB-{n:06d}", "name": {"first": "Ana", "last": f"Test{n}"},
              "onu": {"sn": f"ALCL{n:08X}"}, "crm": {}, "billing": {}, "ipdr": {},
              "erp": {"house_id": 12}}
    record.update(extra)
    return record


def checked(*records):
    valid, problems = validate(list(records))
    assert problems == []
    return valid


def identities(subscribers, name):
    section = SECTIONS[name]
    found = []
    for s in subscribers:
        if s.get(name) is not None:
            found.append((s[name] or {}).get(section.identity) or s["id"])
    return found


# --- placing subscribers ----------------------------------------------------------------


def test_each_subscriber_is_on_the_shard_its_id_hashes_to_in_repository_order():
    people = checked(*(subscriber(n) for n in range(200)))
    shards = split(people, 4)
    assert len(shards) == 4
    for index, shard in enumerate(shards):
        ids = [s["id"] for s in shard["subscribers"]]
        assert ids == sorted(ids)  # the repository's order, kept within the shard
        assert all(shard_of(i, 4) == index for i in ids)
    assert sum(len(s["subscribers"]) for s in shards) == 200
    assert all(shard["subscribers"] for shard in shards)  # 200 spread over 4: none empty


def test_adding_a_subscriber_moves_no_other_one():
    people = checked(*(subscriber(n) for n in range(2000)))
    before = {s["id"]: i for i, shard in enumerate(split(people, 8))
              for s in shard["subscribers"]}
    grown = checked(*(subscriber(n) for n in range(2001)))
    after = {s["id"]: i for i, shard in enumerate(split(grown, 8))
             for s in shard["subscribers"]}
    assert {k: v for k, v in after.items() if k in before} == before
    assert set(after) - set(before) == {"SUB-002000"}


def test_keep_holds_every_declared_identity_once_on_the_shard_it_hashes_to():
    people = checked(*(subscriber(n) for n in range(300)),
                     subscriber(300, state="absent"),          # its IPDR record is kept
                     subscriber(301, ipdr={"user_id": "legacy-7"}),
                     {"id": "SUB-000302", "crm": {}})          # on the CRM alone
    shards = split(people, 3)
    assert all(set(shard["keep"]) == set(PURGEABLE) for shard in shards)
    assert "billing_equipment" not in PURGEABLE
    for name in PURGEABLE:
        kept = [value for shard in shards for value in shard["keep"][name]]
        # No shard holds a copy of another's: each identity is kept once, on its shard.
        assert sorted(kept) == sorted(identities(people, name))
        for index, shard in enumerate(shards):
            assert all(shard_of(value, 3) == index for value in shard["keep"][name])
    ipdr = [value for shard in shards for value in shard["keep"]["ipdr"]]
    assert "SUB-000300" in ipdr and "legacy-7" in ipdr and "SUB-000301" not in ipdr


def test_more_shards_than_subscribers_leave_some_empty():
    shards = split(checked(subscriber(1)), 5)
    assert sum(1 for shard in shards if shard["subscribers"]) == 1
    assert all(set(shard["keep"]) == set(PURGEABLE) for shard in shards)


@pytest.mark.parametrize("count", [0, -1, True, "2"])
def test_a_shard_count_that_cannot_be(count):
    with pytest.raises(ValueError, match="number of shards"):
        split([], count)


@pytest.mark.parametrize("count, names", [
    (1, ["subscribers"]),
    (3, ["subscribers_0", "subscribers_1", "subscribers_2"]),
    (10, [f"subscribers_{n}" for n in range(10)]),
    (11, [f"subscribers_{n:02d}" for n in range(11)]),
    (101, [f"subscribers_{n:03d}" for n in range(101)]),
])
def test_host_names_sort_as_their_shards(count, names):
    assert host_names("subscribers", count) == names
    assert sorted(names) == names


# --- each shard's share of the purge ------------------------------------------------------


def test_no_purge_unless_asked():
    options = purge_options(fan_out(checked(subscriber(1))))
    assert options == {name: {"purge": False} for name in PURGEABLE}


def test_each_section_purged_gets_its_scope_limit_and_share():
    fanned = fan_out(checked(subscriber(1)))
    shard = {"index": 1, "count": 4, "keep": {"onu": ["ALCL00000009"], "crm": ["SUB-9"]}}
    options = purge_options(fanned, ["onu", "crm", "erp"], {"erp": {"house_id": 12}}, 25, shard)
    assert options["onu"] == {
        "purge": True, "purge_scope": {"sn": "*"}, "purge_limit": 25,
        "purge_shard": {"index": 1, "count": 4, "by": "sn", "keep": ["ALCL00000009"]}}
    assert options["crm"]["purge_scope"] == {"uniqueid": "*"}
    assert options["crm"]["purge_shard"]["by"] == "uniqueid"
    assert options["erp"]["purge_scope"] == {"house_id": 12}
    assert options["erp"]["purge_shard"] == {"index": 1, "count": 4, "by": "login", "keep": []}
    assert options["billing"] == {"purge": False} and options["ipdr"] == {"purge": False}


def test_without_shards_the_task_is_the_one_shard_and_keeps_what_the_fan_out_keeps():
    fanned = fan_out(checked(subscriber(1), subscriber(2, state="absent")))
    options = purge_options(fanned, ["ipdr", "billing"])
    assert options["ipdr"]["purge_shard"] == {"index": 0, "count": 1, "by": "user_id",
                                              "keep": ["SUB-000002"]}
    assert options["billing"]["purge_shard"]["keep"] == []  # billing deletes the leaver
    # Deleting an absent subscriber's IPDR record too: nothing is kept.
    deleting = fan_out(checked(subscriber(2, state="absent")), Options(ipdr_delete_absent=True))
    assert purge_options(deleting, ["ipdr"])["ipdr"]["purge_shard"]["keep"] == []


@pytest.mark.parametrize("purge, scopes, limit, shard, problem", [
    (["erp"], {}, 10, None, "erp has no default purge scope"),
    (["billing_equipment"], {}, 10, None, "SIMPLer has no call that deletes equipment"),
    (["ldap"], {}, 10, None, "ldap is no section that can be purged"),
    (["onu"], {"onu": "*"}, 10, None, "the purge scope of onu must be a mapping"),
    (["onu"], {"onu": {}}, 10, None, "the purge scope of onu must be a mapping"),
    (["onu"], {}, -1, None, "the purge limit must be a whole number of 0 or more"),
    (["onu"], {}, 10, {"index": 4, "count": 4}, "index 0 to count - 1"),
    (["onu"], {}, 10, {"index": 0, "count": 2, "keep": ["x"]}, "keep must map each section"),
    (["onu"], {}, 10, "shard 1", "subscribers_shard must be a mapping"),
])
def test_settings_that_cannot_be_used_are_refused(purge, scopes, limit, shard, problem):
    with pytest.raises(ValueError, match=problem):
        purge_options(fan_out([]), purge, scopes, limit, shard)


def test_every_problem_at_once():
    with pytest.raises(ValueError) as raised:
        purge_options(fan_out([]), ["erp", "billing_equipment"], {}, -5)
    assert str(raised.value).count("; ") == 2


@pytest.mark.parametrize("count", [1, 3, 8])
def test_shards_purging_together_delete_each_undeclared_record_once_and_nothing_declared(count):
    """The whole chain: the plugin's split, the role's options, the module's Partition.

    Each shard's task declares its own subscribers' records; a backend record is
    deleted by a shard when the module's rule says so (undeclared by that task, in
    its Partition). Every undeclared record must go exactly once; no record that
    any shard declares, nor a kept IPDR record, ever."""
    people = checked(*(subscriber(n) for n in range(400)),
                     subscriber(400, state="absent"), subscriber(401, state="absent"))
    undeclared = [f"STALE-{n}" for n in range(300)]
    for name in PURGEABLE:
        section = SECTIONS[name]
        on_backend = identities(people, name) + undeclared
        deleted_by = {key: [] for key in on_backend}
        for index, shard in enumerate(split(people, count)):
            fanned = fan_out(shard["subscribers"])
            if not fanned[name]["records"]:
                continue  # a shard without records for a backend skips it
            declared = {r[section.identity] for r in fanned[name]["records"]}
            share = purge_options(fanned, [name], {name: {"house_id": 12}},
                                  10, dict(shard, index=index, count=count))[name]
            partition = Partition(section.spec, **share["purge_shard"])
            for key in on_backend:
                if key not in declared and partition.owns({section.identity: key}):
                    deleted_by[key].append(index)
        assert all(len(deleted_by[key]) == 1 for key in undeclared), name
        assert not any(deleted_by[key] for key in identities(people, name)), name
