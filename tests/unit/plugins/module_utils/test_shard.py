"""Shards: a stable placement, and a purge partition that shards can share."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.shard import (
    Partition,
    partition_value,
    shard_of,
)
from ansible_collections.isp.provisioning.plugins.module_utils.values import casefold

SPEC = EntitySpec(name="thing", plural="things", identity="sn",
                  fields=[Field("sn", normalise=casefold), Field("owner")])


def test_the_hash_is_the_same_in_every_process_and_release():
    # Fixed values: a change of hash would move every subscriber to another shard
    # and make shards of an old and a new release delete each other's records.
    assert [shard_of("SUB-%06d" % n, 16) for n in range(1, 6)] == [0, 11, 11, 12, 6]
    assert shard_of("SUB-000001", 1) == 0


def test_shards_are_balanced_and_adding_one_moves_nobody():
    ids = ["SUB-%06d" % n for n in range(20000)]
    placed = {i: shard_of(i, 8) for i in ids}
    sizes = [list(placed.values()).count(shard) for shard in range(8)]
    assert min(sizes) > 0.9 * 20000 / 8 and max(sizes) < 1.1 * 20000 / 8
    assert {i: shard_of(i, 8) for i in ids} == placed


def test_partition_values_are_compared_as_the_backend_compares_them():
    assert partition_value(SPEC, "sn", "Abc1") == "abc1"
    assert partition_value(SPEC, "owner", None) == ""
    assert partition_value(SPEC, "owner", 12) == "12"


def test_every_undeclared_record_is_owned_by_exactly_one_shard():
    records = [{"sn": "SN%04d" % n} for n in range(500)]
    partitions = [Partition(SPEC, index, 4) for index in range(4)]
    for record in records:
        assert sum(p.owns(record) for p in partitions) == 1


def test_a_kept_value_is_no_shards_to_purge_whatever_its_case():
    record = {"sn": "ALCL0001"}
    owner = shard_of("alcl0001", 4)
    assert Partition(SPEC, owner, 4).owns(record)
    assert not Partition(SPEC, owner, 4, keep=["alcl0001"]).owns(record)
    assert not Partition(SPEC, owner, 4, keep=["ALCL0001"]).owns(record)


def test_a_partition_by_another_field_hashes_that_field():
    record = {"sn": "X", "owner": "SUB-1"}
    assert Partition(SPEC, shard_of("SUB-1", 3), 3, by="owner").owns(record)


@pytest.mark.parametrize("index, count, by", [(4, 4, None), (-1, 4, None), (0, 0, None),
                                              (0, 2, "colour")])
def test_a_partition_that_cannot_be_is_refused(index, count, by):
    with pytest.raises(ValueError, match="purge_shard"):
        Partition(SPEC, index, count, by)
