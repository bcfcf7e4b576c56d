"""The subscriber repository read, checked and split on several cores."""

import json
import os
import pathlib

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils import subscriber_repository
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber import validate
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_repository import (
    compact_json,
    read_shards,
)
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_shards import split


def subscriber(n, **extra):
    return dict({"id": f"SUB-{n:04d}", "name": {"first": "Ana", "last": f"Test{n}"},
                 "onu": {"sn": f"ALCL{n:08X}"}, "ipdr": {}, "erp": {"house_id": 12}}, **extra)


@pytest.fixture(name="repository")
def fixture_repository(tmp_path):
    """12 files of 10 subscribers, with problems of a file, of a record, and across
    files (the same id, the same ONU serial) that no one file shows."""
    files = []
    for index in range(12):
        records = [subscriber(index * 10 + n) for n in range(10)]
        files.append((f"block-{index:02d}.yml", records))
    files[3][1][4] = subscriber(7)  # block-00's id again
    files[9][1][0]["onu"] = {"sn": "ALCL00000064"}  # subscriber 100's serial (block-10)
    files[5][1][2]["state"] = "gone"
    for name, records in files:
        (tmp_path / name).write_text(json.dumps(records))
    (tmp_path / "block-12.yml").write_text("- id: SUB-9999\n  name: {first: [\n")
    return tmp_path, sorted(pathlib.PurePath(p.name) for p in tmp_path.iterdir()), files


def test_workers_make_the_shards_and_problems_of_one_process_reading_in_order(repository):
    root, names, files = repository
    subscribers = [record for _name, records in files for record in records]
    sources = [f"{name}[{index}]" for name, records in files for index in range(len(records))]
    valid, problems = validate(subscribers, sources)
    expected = split(valid, 3, encode=compact_json)

    spread = read_shards(str(root), names, 3, workers=4)
    here = read_shards(str(root), names, 3, workers=1)

    assert spread == here
    shards, found = spread
    assert shards == expected
    assert found[0].startswith("block-12.yml: not valid YAML")  # a file's, first
    assert found[1:] == problems
    assert any("SUB-0007 is also used by block-00.yml[7]" in p for p in found)
    assert any(p.startswith("block-10.yml[0]: subscriber SUB-0100: onu.sn 'ALCL00000064' is also "
                            "claimed by block-09.yml[0]") for p in found)


def test_a_small_repository_is_read_without_workers(repository, monkeypatch):
    root, names, _files = repository
    monkeypatch.setattr(subscriber_repository, "_examined_in_worker", None)  # unpicklable
    assert read_shards(str(root), names, 2) == read_shards(str(root), names, 2, workers=1)


def test_a_worker_that_dies_leaves_its_files_to_this_process_not_a_parse_that_waits(
        repository, monkeypatch):
    """A worker killed (out of memory in a container) never answers for its files:
    the parse reads what is left itself, and gives what one process gives."""
    root, names, _files = repository
    here = read_shards(str(root), names, 3, workers=1)
    parent = os.getpid()
    examined_file = subscriber_repository._examined_file

    def dying_in_a_worker(root_, count, relative, examiner):
        if os.getpid() != parent and relative.name == "block-05.yml":
            os._exit(9)  # as the kernel's OOM killer ends it: no answer, no exception
        return examined_file(root_, count, relative, examiner)

    monkeypatch.setattr(subscriber_repository, "_examined_file", dying_in_a_worker)
    assert read_shards(str(root), names, 3, workers=4) == here
