"""The subscribers inventory plugin: the repository read, checked, and put on its shard hosts."""

import gc
import importlib
import json
import pathlib
import sys
import textwrap
import weakref

import pytest
import yaml

import ansible.constants
from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, inventory_loader
from ansible.template import is_trusted_as_template
from ansible.utils.collection_loader import AnsibleCollectionConfig
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

from ansible_collections.isp.provisioning.plugins.inventory import subscribers
from ansible_collections.isp.provisioning.plugins.module_utils import subscriber_yaml
from ansible_collections.isp.provisioning.plugins.module_utils.shard import shard_of

PREFIX = "the subscriber repository {root} has {count}; nothing was sent to any backend:\n"


def listed_on(host):
    """A shard host's subscribers: one compact JSON text (the filters read it)."""
    text = host.vars["subscribers_list"]
    assert isinstance(text, str)
    return json.loads(text)


def kept_on(host, section):
    """A shard host's keep of one section: one compact JSON text (subscriber_purge reads it)."""
    text = host.vars["subscribers_shard"]["keep"][section]
    assert isinstance(text, str)
    return json.loads(text)


def _imported_collections():
    return [name for name in sys.modules
            if name == "ansible_collections" or name.startswith("ansible_collections.")]


@pytest.fixture(scope="module", autouse=True)
def collection_finder():
    """Ansible's collection finder, installed as the CLI installs it, for these tests only.

    tasks.py makes the collection importable through PYTHONPATH, as a plain
    namespace package; Ansible's plugin loader (and so InventoryManager and
    the auto plugin) finds a collection's plugins only through its own finder,
    which must own the ``ansible_collections`` package. So what was imported
    the plain way is set aside, and put back afterwards for the other tests.
    """
    if AnsibleCollectionConfig.collection_finder is not None:  # ansible-test units did it
        yield
        return
    saved = {name: sys.modules.pop(name) for name in _imported_collections()}
    # The folder that holds ansible_collections/isp/provisioning/plugins/inventory/.
    init_plugin_loader([str(pathlib.Path(subscribers.__file__).parents[5])])
    try:
        yield
    finally:
        _AnsibleCollectionFinder._remove()  # pylint: disable=protected-access
        for name in _imported_collections():
            del sys.modules[name]
        sys.modules.update(saved)


@pytest.fixture
def repo(tmp_path):
    """``repo.write(path, text)`` under tmp_path/subscribers; ``repo.config(**options)``."""

    class Repo:
        root = tmp_path / "subscribers"

        def write(self, path, text):
            target = self.root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text))

        def config(self, name="subscribers.yml", **options):
            options.setdefault("path", "../subscribers")
            target = tmp_path / "inventory" / name
            target.parent.mkdir(exist_ok=True)
            target.write_text(yaml.safe_dump(dict(plugin="isp.provisioning.subscribers", **options)))
            return str(target)

    return Repo()


def manager(config):
    """The inventory as ansible-playbook builds it."""
    return InventoryManager(loader=DataLoader(), sources=[config])


def parse(config):
    """The plugin run on one source, as InventoryManager runs it, its errors not turned into warnings."""
    plugin = inventory_loader.get("isp.provisioning.subscribers")
    inventory = InventoryData()
    plugin.parse(inventory, DataLoader(), config)
    return inventory


def problems_of(config):
    with pytest.raises(AnsibleParserError) as raised:
        parse(config)
    return raised.value.message


def write_tree(repo):
    repo.write("sofia/SUB-000101.yml", """\
        id: SUB-000101
        name: {first: Ana, last: Petrova}
        contact: {mobile: "+359888100200", email: ana@example.net}
        onu: {sn: ALCL00A1B2C3, service: HGU}
        ipdr: {}
        """)
    repo.write("sofia/block-4.yml", """\
        - id: SUB-000102
          organisation: Vitosha Bakery Ltd
          crm: {resellerid: 3}
        - id: SUB-000103
          state: suspended
          name: {first: Ivan}
          onu: {sn: ALCL00A1B2C4}
        """)
    repo.write("varna/north/old-town.yaml", """\
        subscribers:
          - id: SUB-000201
            name: {first: Maria, last: Ivanova}
            erp: {house_id: 12, apartment: "5"}
        """)
    repo.write("varna/empty-block.yml", "[]\n")
    # Not subscribers: hidden files and folders, other names.
    repo.write(".drafts/SUB-000999.yml", "id: SUB-000999\n")
    repo.write("sofia/.SUB-000998.yml", "id: SUB-000998\n")
    repo.write("sofia/README.md", "id: not a subscriber\n")


def test_a_tree_of_files_becomes_one_local_host_with_the_validated_subscribers(repo):
    write_tree(repo)
    inventory = manager(repo.config())

    host = inventory.get_host("subscribers")
    assert sorted(group.name for group in host.get_groups()) == ["all", "provisioning"]
    assert host.vars["ansible_connection"] == "local"
    interpreter = host.vars["ansible_python_interpreter"]
    assert interpreter == "{{ ansible_playbook_python }}"
    assert is_trusted_as_template(interpreter)  # templated by 2.19, which trusts no inventory text

    listed = listed_on(host)
    # Files in sorted order (sofia/ before varna/), a list's records in its order.
    assert [s["id"] for s in listed] == ["SUB-000101", "SUB-000102", "SUB-000103", "SUB-000201"]
    first = listed[0]
    assert first["state"] == "active"  # validate's default
    assert first["onu"] == {"sn": "ALCL00A1B2C3", "service": "HGU"}
    assert first["name"] == {"first": "Ana", "last": "Petrova"}
    assert first["billing"] is None  # not on that backend
    assert listed[2]["state"] == "suspended"
    assert listed[3]["erp"]["house_id"] == 12
    assert "subscribers_sources" not in host.vars


def test_one_shard_keeps_the_one_host_and_its_name(repo):
    write_tree(repo)
    inventory = parse(repo.config())
    assert [h.name for h in inventory.groups["provisioning"].get_hosts()] == ["subscribers"]
    host = inventory.get_host("subscribers")
    shard = host.vars["subscribers_shard"]
    assert (shard["index"], shard["count"]) == (0, 1)
    assert kept_on(host, "onu") == ["ALCL00A1B2C3", "ALCL00A1B2C4"]
    assert kept_on(host, "erp") == ["SUB-000201"]


def test_shards_spread_the_subscribers_over_hosts_by_the_hash_of_their_ids(repo):
    repo.write("many.yml", "\n".join(
        f"- {{id: SUB-{n:04d}, onu: {{sn: SN{n:04d}}}, ipdr: {{}}}}" for n in range(120)) + "\n")
    inventory = manager(repo.config(shards=12))

    hosts = inventory.groups["provisioning"].get_hosts()
    assert [h.name for h in hosts] == [f"subscribers_{n:02d}" for n in range(12)]
    placed = {}
    for index, host in enumerate(hosts):
        assert host.vars["ansible_connection"] == "local"
        assert is_trusted_as_template(host.vars["ansible_python_interpreter"])
        ids = [s["id"] for s in listed_on(host)]
        assert ids == sorted(ids)  # repository order within a shard
        placed.update(dict.fromkeys(ids, index))
        shard = host.vars["subscribers_shard"]
        assert (shard["index"], shard["count"]) == (index, 12)
        assert sorted(shard["keep"]) == ["billing", "crm", "erp", "ipdr", "onu"]
        assert all(shard_of(sn, 12) == index for sn in kept_on(host, "onu"))
    assert placed == {f"SUB-{n:04d}": shard_of(f"SUB-{n:04d}", 12) for n in range(120)}
    kept = sorted(sn for h in hosts for sn in kept_on(h, "onu"))
    assert kept == [f"SN{n:04d}" for n in range(120)]  # each once: no shard holds another's


def test_the_fan_out_checks_again_only_subscribers_this_inventory_did_not_check(repo, monkeypatch):
    # Imported here, through the collection finder, as the role's template imports it:
    # the inventory plugin and the filter then share what the plugin vouched for.
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.isp.provisioning.plugins.filter import subscribers as filters

    write_tree(repo)
    text = parse(repo.config()).get_host("subscribers").vars["subscribers_list"]
    fanned = filters.subscriber_records(json.loads(text))  # a list: checked

    def checked_again(*_args):
        raise AssertionError("the inventory's subscribers were checked again")

    with monkeypatch.context() as patched:
        patched.setattr(filters, "validate", checked_again)
        assert filters.subscriber_records(text) == fanned
    # Another text - one a play gives, or this one changed - is checked, and refused.
    with pytest.raises(AnsibleError, match=r"SUB-000101.*state must be one of"):
        filters.subscriber_records(text.replace('"state":"active"', '"state":"gone"', 1))


@pytest.mark.parametrize("shards", [0, -2])
def test_a_shard_count_below_one_is_an_error(repo, shards):
    write_tree(repo)
    with pytest.raises(AnsibleParserError, match=f"shards must be 1 or more, got {shards}"):
        parse(repo.config(shards=shards))


def test_workers_says_how_many_processes_read_the_files(repo, monkeypatch):
    """workers: 1 reads in the plugin's process (a container limited to one CPU);
    below 0 is an error, before any file is read."""
    write_tree(repo)
    asked = []
    # (the module the plugin imports when it reads, as the collection loader has it)
    repository = importlib.import_module(
        "ansible_collections.isp.provisioning.plugins.module_utils.subscriber_repository")
    read = repository.read_shards
    monkeypatch.setattr(repository, "read_shards",
                        lambda *args: asked.append(args[3]) or read(*args))
    assert parse(repo.config(workers=1)).hosts.keys() == parse(repo.config()).hosts.keys()
    assert asked == [1, 0]
    with pytest.raises(AnsibleParserError, match="workers must be 0 .one per core. or more, got -1"):
        parse(repo.config(workers=-1))
    assert len(asked) == 2


def test_subscriber_text_is_never_trusted_as_a_template(repo):
    repo.write("a.yml", "id: SUB-1\nname: {first: \"{{ lookup('pipe', 'id') }}\"}\n")
    host = manager(repo.config()).get_host("subscribers")
    text = host.vars["subscribers_list"]
    assert not is_trusted_as_template(text)
    assert listed_on(host)[0]["name"]["first"] == "{{ lookup('pipe', 'id') }}"  # text, never run


def test_host_group_and_patterns_options_and_an_absolute_path(repo, tmp_path, monkeypatch):
    write_tree(repo)
    monkeypatch.chdir(tmp_path / "subscribers" / "sofia")  # the working folder does not matter
    config = repo.config(path=str(repo.root), host="subscribers_sofia",
                         group="provisioning_sofia", patterns=["block-*.yml"])

    host = manager(config).get_host("subscribers_sofia")
    assert "provisioning_sofia" in [group.name for group in host.get_groups()]
    assert [s["id"] for s in listed_on(host)] == ["SUB-000102", "SUB-000103"]


def test_a_relative_path_is_relative_to_the_configuration_file(repo, tmp_path, monkeypatch):
    write_tree(repo)
    monkeypatch.chdir(tmp_path / "subscribers" / "varna")
    inventory = parse(repo.config(path="../subscribers/varna"))
    assert [s["id"] for s in listed_on(inventory.get_host("subscribers"))] == [
        "SUB-000201"]


def test_every_problem_of_every_file_is_reported_at_once(repo):
    repo.write("sofia/SUB-000101.yml", """\
        id: SUB-000101
        name: {first: Ana, last: Petrova}
        colour: blue
        """)
    repo.write("sofia/block-4.yml", """\
        - id: SUB-000102
          onu: {sn: ALCL00A1B2C3}
        - id: SUB-000103
          onu: {sn: ALCL00A1B2C4}
        - id: SUB-000104
          contact: {mobile: "+359888100200"}
          crm: {resellerid: not-a-number}
        """)
    repo.write("varna/SUB-000103.yml", "id: SUB-000103\nipdr: {}\n")
    repo.write("varna/SUB-000201.yml", "id: SUB-000201\nonu: {sn: ALCL00A1B2C3}\n")
    repo.write("varna/broken.yml", "id: SUB-000202\nname: {first: [unclosed\n")
    root = str(repo.root)

    message = problems_of(repo.config())

    lines = message.splitlines()
    assert message.startswith(PREFIX.format(root=root, count=f"{len(lines) - 1} problems"))
    body = lines[1:]
    assert len(body) == 5
    expected = [
        ("varna/broken.yml: not valid YAML:", "(line 3, column 1)"),
        ("sofia/SUB-000101.yml: subscriber SUB-000101: unknown key colour", "(known: "),
        ("sofia/block-4.yml[2]: subscriber SUB-000104: crm: ", "resellerid"),
        ("varna/SUB-000103.yml: subscriber SUB-000103: subscriber id SUB-000103 is also used by "
         "sofia/block-4.yml[1]", ""),
        ("varna/SUB-000201.yml: subscriber SUB-000201: onu.sn 'ALCL00A1B2C3' is also claimed by "
         "sofia/block-4.yml[0]: subscriber SUB-000102", ""),
    ]
    for start, inside in expected:
        assert [line for line in body if line.startswith(start) and inside in line], (start, body)


def test_a_failed_repository_adds_no_host(repo):
    repo.write("a.yml", "id: SUB-1\ncolour: blue\n")
    plugin = inventory_loader.get("isp.provisioning.subscribers")
    inventory = InventoryData()
    with pytest.raises(AnsibleParserError):
        plugin.parse(inventory, DataLoader(), repo.config())
    assert inventory.get_host("subscribers") is None
    assert "provisioning" not in inventory.groups


@pytest.mark.parametrize("text, problem", [
    ("just text\n", "a.yml: holds a str; expected a subscriber (a mapping with id), "
                    "a list of them, or {subscribers: [...]}"),
    ("", "a.yml: is empty; expected a subscriber"),
    ("# only a comment\n", "a.yml: is empty; expected a subscriber"),
    ("subscribers: {id: SUB-1}\n", "a.yml: subscribers must be a list, got dict"),
    ("subscribers: []\nregion: sofia\n", "a.yml: unknown key region beside subscribers"),
    ("- id: SUB-1\n- just text\n", "a.yml[1]: must be a mapping, got str"),
    ("name: {first: Ana}\n", "a.yml: missing required arguments: id"),
    ("id: SUB-1\nonu: {sn: A}\nonu: {sn: B}\n",
     "a.yml: not valid YAML: found the key 'onu' twice in one mapping (line 3, column 1)"),
    ("id: SUB-1\n---\nid: SUB-2\n", "a.yml: not valid YAML: "),
    ("id: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n", "a.yml: not valid YAML: "),
])
def test_a_file_of_another_shape_is_a_problem(repo, text, problem):
    repo.write("a.yml", text)
    message = problems_of(repo.config())
    assert message.startswith(PREFIX.format(root=repo.root, count="1 problem"))
    assert message.splitlines()[1].startswith(problem)


def test_merge_keys_may_override_what_they_merge(repo):
    repo.write("a.yml", """\
        - &base {id: SUB-1, contact: {email: a@example.net}}
        - <<: *base
          id: SUB-2
        """)
    listed = listed_on(parse(repo.config()).get_host("subscribers"))
    assert [(s["id"], s["contact"]["email"]) for s in listed] == [
        ("SUB-1", "a@example.net"), ("SUB-2", "a@example.net")]


def test_a_problem_said_twice_by_the_validator_is_listed_once(repo):
    repo.write("a.yml", "id: SUB-1\ncontact: [not, a, mapping]\n")
    body = problems_of(repo.config()).splitlines()[1:]
    assert len(body) == len(set(body))


def test_a_missing_folder_or_one_without_subscriber_files_is_an_error(repo, tmp_path):
    with pytest.raises(AnsibleParserError, match="subscribers is not a folder"):
        parse(repo.config())
    repo.write("README.md", "# the subscribers\n")
    repo.write(".hidden.yml", "id: SUB-1\n")
    with pytest.raises(AnsibleParserError, match=r"has no file named \*\.yml or \*\.yaml"):
        parse(repo.config())


def test_ansible_stops_only_when_asked_to(repo, monkeypatch):
    repo.write("a.yml", "id: SUB-1\ncolour: blue\n")
    config = repo.config()
    # By default a failed source is a warning, and the run goes on without the host.
    assert manager(config).get_host("subscribers") is None
    monkeypatch.setattr(ansible.constants, "INVENTORY_ANY_UNPARSED_IS_FAILED", True)
    with pytest.raises(AnsibleError, match="Completely failed to parse inventory source"):
        manager(config)


@pytest.mark.parametrize("name, wanted", [
    ("subscribers.yml", True),
    ("subscribers.yaml", True),
    ("sofia.subscribers.yml", True),
    ("hosts.yml", False),
    ("subscribers.json", False),
    ("subscribers.yml.bak", False),
])
def test_verify_file_takes_only_its_configuration_names(repo, name, wanted):
    config = repo.config(name=name)
    assert inventory_loader.get("isp.provisioning.subscribers").verify_file(config) is wanted


def test_verify_file_refuses_a_missing_file(tmp_path):
    plugin = inventory_loader.get("isp.provisioning.subscribers")
    assert not plugin.verify_file(str(tmp_path / "subscribers.yml"))


def test_files_are_read_with_the_c_loader_when_there_is_one():
    if yaml.__with_libyaml__:
        assert issubclass(subscriber_yaml.Loader, yaml.CSafeLoader)
    assert issubclass(subscriber_yaml.Loader, (yaml.SafeLoader, getattr(yaml, "CSafeLoader", ())))


@pytest.fixture(autouse=True)
def thawed():
    """The collector as other tests expect it: nothing left frozen by a parse (every
    test here parses, and a frozen pytest worker would never collect cycles again)."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_the_parsed_inventory_is_frozen_so_that_forks_collecting_garbage_do_not_copy_it(
        repo, thawed):
    write_tree(repo)
    inventory = parse(repo.config())
    host = inventory.get_host("subscribers")
    # Frozen objects are out of every generation the collector walks (in a fork too).
    assert gc.get_freeze_count() > 0
    assert not any(found is host for found in gc.get_objects())


def test_a_second_parse_lets_the_first_inventory_be_collected(repo, thawed):
    write_tree(repo)
    config = repo.config()
    first = weakref.ref(parse(config).get_host("subscribers"))
    # A host and its groups refer to each other: only the collector frees them,
    # and it never would while they stayed frozen.
    parse(config)
    gc.collect()
    assert first() is None


def plugin_module():
    """The plugin's module as the inventory loader imported it (not this file's import)."""
    return sys.modules[type(inventory_loader.get("isp.provisioning.subscribers")).__module__]


def test_the_memory_reading_the_repository_freed_is_given_back_before_the_freeze(
        repo, thawed, monkeypatch):
    calls = []

    def trim(pad):
        calls.append((pad, gc.get_freeze_count()))
        return 1

    monkeypatch.setattr(plugin_module(), "_malloc_trim", lambda: trim)
    write_tree(repo)
    parse(repo.config())
    assert calls == [(0, 0)]  # once, all of it, before anything is frozen


def test_a_c_library_without_malloc_trim_only_freezes(repo, thawed, monkeypatch):
    monkeypatch.setattr(plugin_module(), "_malloc_trim", lambda: None)
    write_tree(repo)
    parse(repo.config())
    assert gc.get_freeze_count() > 0
