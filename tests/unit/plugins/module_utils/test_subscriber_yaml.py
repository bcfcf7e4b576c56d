from __future__ import annotations

import json
import random

import pytest
import yaml

from ansible_collections.isp.provisioning.plugins.module_utils import subscriber_yaml

SUBSCRIBER = {"id": "SUB-1", "name": {"first": "Ана", "last": "Petrova"},
              "onu": {"sn": "ALCL00A1B2C3"}, "erp": {"house_id": 12}, "ipdr": {}}


def as_yaml(content):
    """What the YAML loader alone makes of a file: its data, or its error as the
    inventory reports it."""
    try:
        return "data", yaml.load(content, Loader=subscriber_yaml.Loader)
    except yaml.YAMLError as error:
        return "problem", subscriber_yaml.yaml_problem(error)


def as_read(content):
    try:
        return "data", subscriber_yaml.load(content)
    except yaml.YAMLError as error:
        return "problem", subscriber_yaml.yaml_problem(error)


def test_a_json_file_is_read_without_the_yaml_parser(tmp_path, monkeypatch):
    # LibYAML reads JSON (YAML's flow style) at a quarter of its block speed: a
    # repository of JSON files cost a millisecond of CPU a subscriber.
    path = tmp_path / "block.yml"
    path.write_text(json.dumps([SUBSCRIBER, dict(SUBSCRIBER, id="SUB-2")], ensure_ascii=False,
                               indent=2))

    def refuse(*_args, **_kwargs):
        raise AssertionError("read by the YAML loader")

    monkeypatch.setattr(subscriber_yaml.yaml, "load", refuse)
    found, sources, problems = subscriber_yaml.read_file(str(path), "block.yml")
    assert found == [SUBSCRIBER, dict(SUBSCRIBER, id="SUB-2")]
    assert sources == ["block.yml[0]", "block.yml[1]"]
    assert problems == []


@pytest.mark.parametrize("text", [
    '{"id": "SUB-1", "onu": {}, "onu": {}}',  # a key twice: refused, with its line
    '[{"id": "SUB-1", "tariff": 1e5}]',  # YAML 1.1 reads 1e5 as text
    '[{"id": "SUB-1", "tariff": 1.5, "limit": 1.5E+3}]',
    '[{"id": "SUB-1", "tariff": NaN}]',  # no JSON, though json takes it
    '[\n\t{"id": "SUB-1"}\n]',  # a tab: LibYAML takes it, PyYAML's pure parser refuses it
    '[{"id": "SUB-1", "name\u2028x": 1}]',  # a line break to YAML inside the key
    '[{"id": "SUB-1", "name": "\u0085"}]',
    '[{"id": "SUB-1", "name": "\x7f"}]',  # a character YAML does not allow
    '[{"id": "SUB-1", "name": "\\ud83d\\ude00"}]',  # an escaped surrogate, refused by YAML
    '[{"id": "SUB-1", "name"\n: "x"}]',  # a key and its colon on two lines
    '[{"id": "SUB-1", "' + "k" * 1100 + '": "x"}]',  # longer than YAML's longest key
    '[{"id": "SUB-1"}] # a comment',
    '[{"id": "SUB-1"}]\n---\n[]\n',
    '\ufeff[{"id": "SUB-1"}]',
    '  [{"id": "SUB-1", "name": "\\/", "on": "yes", "n": -0, "big": 123456789012345678901234567890}]',
])
def test_a_json_file_reads_as_the_yaml_loader_reads_it(text):
    content = text.encode("utf-8", "surrogatepass")
    assert as_read(content) == as_yaml(content)


ATOMS = [0, 7, -12, 10 ** 30, True, False, None, "", "a", "yes", "0012", "~", "<<", "a: b", "# x",
         "é", "\u2028", "\x85", "\x7f", "\t", "\n", "\\", '"', "/", "\U0001F600", "k" * 180,
         1.5, "12:30", "2001-01-01", "0x1F", ".inf"]


def _value(rnd, depth=0):
    draw = rnd.random()
    if depth > 3 or draw < 0.5:
        return rnd.choice(ATOMS)
    if draw < 0.75:
        return [_value(rnd, depth + 1) for _index in range(rnd.randint(0, 3))]
    return {str(rnd.choice(ATOMS)): _value(rnd, depth + 1) for _index in range(rnd.randint(0, 3))}


def _layouts(value):
    yield json.dumps(value)
    yield json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    yield json.dumps(value, indent=2, ensure_ascii=False)
    yield json.dumps(value, indent="\t")
    yield json.dumps(value).replace(", ", ",\n", 2).replace(": ", ":\n", 2)


def test_json_files_of_every_kind_read_as_the_yaml_loader_reads_them():
    rnd = random.Random(11)
    for _index in range(300):
        value = [_value(rnd)]
        for text in _layouts(value):
            content = text.encode("utf-8")
            assert as_read(content) == as_yaml(content), text


class PyYamlConstructs(subscriber_yaml.Loader):  # pylint: disable=too-many-ancestors
    """The inventory's loader with PyYAML's own constructor for every document."""

    construct_document = yaml.constructor.BaseConstructor.construct_document


def built(content, loader):
    """The data as its repr (a recursive list is equal to nothing), or the error."""
    try:
        return "data", repr(yaml.load(content, Loader=loader))
    except yaml.YAMLError as error:
        return "problem", subscriber_yaml.yaml_problem(error)
    except ValueError as error:  # PyYAML's int constructor, on 0b_
        return "error", str(error)


@pytest.mark.parametrize("text", [
    "id: SUB-1\nname: {first: Ana, last: Petrova}\nerp: {house_id: 12, apartment: '5'}\n",
    "- id: SUB-1\n  onu: {sn: A1, enabled: yes}\n  ipdr: {}\n- id: 0012\n  crm: ~\n",
    "n: [0x1F, 0o17, 017, 0b101, -1_000, 190:20:30, +5, 1.5, .inf, 1e5]\n",
    "when: 2001-12-14\nblob: !!binary aGVsbG8=\nset: !!set {a, b}\n",
    "id: SUB-1\nonu: {sn: A}\nonu: {sn: B}\n",  # a key twice: refused, with its line
    "yes: 1\ntrue: 2\n",  # two keys that are one value: the last kept
    "1: a\n0x1: b\n",
    "base: &base {city: Sofia, country: Bulgaria}\naddress:\n  <<: *base\n  city: Varna\n",
    "a: &shared [1, 2]\nb: *shared\n",
    "a: &self [*self]\n",
    "a: !!str 12\nb: !!int '12'\nc: !!null x\nd: !custom x\n",
    "a: !!str {b: c}\n",
    "? [a, b]\n: c\n",
    "= : x\n",
    "a: 0b_\n",
    "a: 0b_\nb: 1\nb: 2\n",
    "",
    "just text\n",
])
def test_a_document_is_built_as_pyyamls_constructor_builds_it(text):
    content = text.encode()
    assert built(content, subscriber_yaml.Loader) == built(content, PyYamlConstructs)


def test_an_alias_is_one_object_as_pyyaml_builds_it():
    data = yaml.load(b"a: &shared {city: Sofia}\nb: *shared\n", Loader=subscriber_yaml.Loader)
    assert data["a"] is data["b"]


def test_a_plain_subscriber_document_is_built_without_pyyamls_constructor(monkeypatch):
    # PyYAML's constructor was half the CPU of reading a block-style subscriber file.
    def refuse(*_args, **_kwargs):
        raise AssertionError("built by PyYAML's constructor")

    monkeypatch.setattr(yaml.constructor.BaseConstructor, "construct_object", refuse)
    text = ("id: SUB-1\nname:\n  first: Ана\nonu:\n  sn: A1\n  enabled: yes\ncrm: ~\n"
            "erp:\n  house_id: 12\n  apartment: '5'\nbilling:\n  equipment:\n    - mac: x\n")
    assert yaml.load(text.encode(), Loader=subscriber_yaml.Loader) == {
        "id": "SUB-1", "name": {"first": "Ана"}, "onu": {"sn": "A1", "enabled": True},
        "crm": None, "erp": {"house_id": 12, "apartment": "5"},
        "billing": {"equipment": [{"mac": "x"}]}}


def test_a_plain_scalar_is_resolved_once(monkeypatch):
    # Keys and most values recur in every subscriber: resolving each by a dozen
    # regular expressions at every occurrence was a fifth of composing a file.
    monkeypatch.setattr(subscriber_yaml, "_PLAIN_TAGS", {})
    resolved = []
    resolve = yaml.resolver.BaseResolver.resolve

    def counting(self, kind, value, implicit):
        resolved.append(value)
        return resolve(self, kind, value, implicit)

    monkeypatch.setattr(yaml.resolver.BaseResolver, "resolve", counting)
    texts = [b"- {id: SUB-1, tariff: 12, on: yes}\n", b"- {id: SUB-2, tariff: 12, on: '12'}\n"]
    assert [yaml.load(text, Loader=subscriber_yaml.Loader) for text in texts] == [
        [{"id": "SUB-1", "tariff": 12, True: True}], [{"id": "SUB-2", "tariff": 12, True: "12"}]]
    assert sorted(value for value in resolved if value) == sorted(
        ["id", "SUB-1", "tariff", "12", "on", "yes", "SUB-2", "12"])


@pytest.mark.parametrize("content, problem", [
    # the reader's errors: where in the file, not "<byte string>" (what the loader read)
    (b"id: SUB-1\nname: a\x01b\n",
     "unacceptable character #x0001: control characters are not allowed at position 17"),
    (b"id: SUB-1\nname: caf\xe9\n",
     "unacceptable character #x-001: incomplete UTF-8 octet sequence at position 19"),
    # what PyYAML's constructor lets out as other errors: a problem of the file too
    (b"id: SUB-1\nx: 0b_\n", "invalid literal for int() with base 2: ''"),
])
def test_a_file_the_loader_cannot_read_is_a_problem_naming_it(tmp_path, content, problem):
    path = tmp_path / "block.yml"
    path.write_bytes(content)
    assert subscriber_yaml.read_file(str(path), "block.yml") == (
        [], [], ["block.yml: not valid YAML: " + problem])
