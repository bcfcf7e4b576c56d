"""The exported subscriber files: stable bytes, written only when they change."""

import os

import pytest
import yaml

from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_files import (
    Repository,
    file_name,
    render,
    review_document,
)

ANA = {"id": "SUB-1", "name": {"first": "Ana", "last": "Petrova"},
       "address": {"postcode": "0100", "city": "Sofia"},
       "billing": {"equipment": [{"nickname": "cpe_1", "status": "use"}]}, "ipdr": {}}


def test_a_file_keeps_the_records_order_and_text_as_text():
    text = render(ANA)
    assert text == (
        "---\n"
        "id: SUB-1\n"
        "name:\n  first: Ana\n  last: Petrova\n"
        "address:\n  postcode: '0100'\n  city: Sofia\n"
        "billing:\n  equipment:\n    - nickname: cpe_1\n      status: use\n"
        "ipdr: {}\n")
    assert yaml.safe_load(text) == ANA


@pytest.mark.parametrize("subscriber_id, name", [
    ("SUB-1", "SUB-1.yml"), (".hidden", None), ("a/b", None), ("a\\b", None), ("", None)])
def test_an_id_is_a_file_name_only_when_the_inventory_would_read_it(subscriber_id, name):
    assert file_name(subscriber_id) == name


def test_only_changed_files_are_written_and_a_second_export_writes_none(tmp_path):
    repository = Repository(tmp_path / "subscribers", tmp_path / "review.yml")
    review = review_document({}, {"subscribers": 1})
    changes, stale, _in_lists = repository.plan([ANA], review)
    assert sorted(changes) == [str(tmp_path / "review.yml"),
                               str(tmp_path / "subscribers" / "SUB-1.yml")]
    assert stale == [] and not (tmp_path / "subscribers").exists()  # planning writes nothing
    repository.write(changes)
    assert (tmp_path / "subscribers" / "SUB-1.yml").read_text() == render(ANA)
    before = os.stat(tmp_path / "subscribers" / "SUB-1.yml").st_mtime_ns
    assert repository.plan([ANA], review) == ({}, [], [])
    changed = dict(ANA, ipdr={"name": "A. Petrova"})
    changes, _stale, _in_lists = repository.plan([changed], review)
    assert list(changes) == [str(tmp_path / "subscribers" / "SUB-1.yml")]
    assert repository.diff(changes)[0]["before"] == render(ANA)
    assert os.stat(tmp_path / "subscribers" / "SUB-1.yml").st_mtime_ns == before


def test_files_the_export_does_not_write_are_named_not_deleted(tmp_path):
    folder = tmp_path / "subscribers"
    (folder / "sofia").mkdir(parents=True)
    (folder / "sofia" / "SUB-9.yml").write_text("id: SUB-9\n")
    (folder / ".hidden.yml").write_text("x: 1\n")
    changes, stale, _in_lists = Repository(folder, tmp_path / "r.yml").plan([ANA], "")
    assert stale == [os.path.join("sofia", "SUB-9.yml")]
    Repository(folder, tmp_path / "r.yml").write(changes)
    assert (folder / "sofia" / "SUB-9.yml").exists()


def test_the_review_file_cannot_be_among_the_subscribers(tmp_path):
    with pytest.raises(ValueError, match="inside"):
        Repository(tmp_path, tmp_path / "review.yml")


def test_the_review_file_says_each_problem_and_counts_them():
    text = review_document(
        {"onu": [{"key": "ALCL1", "problem": "unmatched", "reason": "no subscriber matches it",
                  "record": {"sn": "ALCL1"}}]}, {"subscribers": 0, "unmatched": 1})
    assert text.startswith("# Records of the backends")
    assert yaml.safe_load(text)["review"]["onu"][0]["problem"] == "unmatched"


def test_a_re_export_rewrites_each_subscriber_where_the_user_put_it(tmp_path):
    # gitops.md: any folders, and files holding lists. A second SUB-1.yml at the top
    # would declare SUB-1 twice, which the inventory refuses.
    folder = tmp_path / "subscribers"
    (folder / "sofia").mkdir(parents=True)
    (folder / "sofia" / "ana.yaml").write_text("id: SUB-1\n")
    (folder / "varna.yml").write_text("- id: SUB-2\n- id: SUB-3\n")
    (folder / "old.yml").write_text("subscribers: [{id: SUB-8}]\n")
    repository = Repository(folder, tmp_path / "r.yml")
    changes, stale, in_lists = repository.plan(
        [ANA, {"id": "SUB-3", "ipdr": {}}, {"id": "SUB-4", "crm": {}}], "")
    assert sorted(changes) == [str(tmp_path / "r.yml"), str(folder / "SUB-4.yml"),
                               str(folder / "sofia" / "ana.yaml")]
    assert in_lists == ["SUB-3: varna.yml[1]"]  # named, not rewritten
    assert stale == ["old.yml"]  # varna.yml holds an exported subscriber
    repository.write(changes)
    assert (folder / "sofia" / "ana.yaml").read_text() == render(ANA)
    assert (folder / "varna.yml").read_text() == "- id: SUB-2\n- id: SUB-3\n"
