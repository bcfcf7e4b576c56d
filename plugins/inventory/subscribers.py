# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: subscribers
short_description: The subscriber repository as hosts that carry the subscribers, one per shard
version_added: 0.1.0
description:
  - Reads a folder of subscriber files (the GitOps subscriber repository), checks
    every subscriber in it, and adds O(shards) hosts in one group (O(group)), each
    holding its shard of the checked subscribers in its variable
    C(subscribers_list), as one compact JSON text (ansible-core would hold a
    structure as an object per value, on the controller and in every fork). The
    C(isp.provisioning.subscribers) role fans them out to
    the backends.
  - With one shard (the default) the one host is named O(host). With O(shards=N)
    the hosts are C(<host>_<i>), I(i) from 0 to N - 1, zero-padded to the width of
    N - 1 (C(subscribers_00) ... C(subscribers_11) for 12 shards), so that sorting
    the names sorts the shards. A subscriber's shard is the SHA-256 hash of its id
    (the digest's first 8 bytes as a number) modulo N - the same shard in every run,
    on every machine - and adding or removing a subscriber moves no other one.
  - Each host also gets C(subscribers_shard) - C(index), C(count) and C(keep), which
    holds for every backend section whose module can purge (C(onu), C(crm), C(billing),
    C(ipdr), C(erp); not SIMPLer equipment, which cannot be deleted), the
    identities the whole repository declares in that section (an absent
    subscriber's kept IPDR record too) that hash to this shard, as the compact JSON
    text of their list. The role passes
    them as the modules' C(purge_shard), so that each shard purges only its own
    share of the undeclared records and never one another shard declares.
  - The folder may hold sub-folders in any layout; they are read in sorted order.
    Hidden files and folders (names that start with C(.)) are skipped.
  - "A file holds one subscriber (a mapping with C(id)), a list of subscribers,
    or a mapping C({subscribers: [...]})."
  - Every subscriber is checked before the host exists - its keys and types,
    each backend section against that backend's field declarations, a
    subscriber id used twice, and one backend identity (an ONU serial, an IPDR
    user ID, ...) claimed by two subscribers. A file that is not valid YAML,
    holds a key twice in one mapping, or has none of the shapes above is a
    problem too.
  - If there is any problem the source fails with all of them, one per line,
    each naming its file (and its index in a file that holds a list) and the
    subscriber id. The host is not added, so nothing is sent to any backend.
  - The host gets C(ansible_connection=local) and
    C(ansible_python_interpreter={{ ansible_playbook_python }}), as the controller
    talks to the backends' APIs itself.
author:
  - isp.provisioning contributors (@isp-provisioning)
options:
  plugin:
    description: The name of this plugin; the file is this plugin's configuration.
    required: true
    type: str
    choices: [isp.provisioning.subscribers]
  path:
    description:
      - The folder of subscriber files.
      - A relative path is relative to the folder of this configuration file.
    required: true
    type: str
  host:
    description:
      - The name of the one host that carries the subscribers, or with several
        O(shards) the start of each shard host's name (C(<host>_<i>)).
    type: str
    default: subscribers
  shards:
    description:
      - How many shard hosts to spread the subscribers over. Ansible's forks
        converge the shards of one run in parallel, and an AWX or Automation
        Controller sliced job hands them to its slices (see docs/awx.md).
      - "Choosing it: about 5,000 to 20,000 subscribers a shard (each shard reads
        every backend's list once per run, and holds its subscribers in memory);
        a multiple of the AWX job slices, so that every slice gets as many shards,
        and never fewer than the slices (AWX makes no more slices than hosts)."
      - Changing it moves most subscribers to other shards. That is safe - every
        run computes all shards from the same repository - but the per-shard purge
        limits then apply to other groups of records.
    type: int
    default: 1
  workers:
    description:
      - How many worker processes at most read and check the subscriber files, when they
        hold 1 MB or more in all. C(0) is one per core the controller may use (at most 8);
        C(1) reads them in the plugin's own process.
      - In a container whose CPU limit is below its node's cores (an AWX execution pod),
        set the limit here, since the cores counted are the node's.
      - A worker that dies (killed for memory) leaves its files to the plugin's own
        process; the hosts, the shards and the problems are the same.
    type: int
    default: 0
  group:
    description: The group the host is added to.
    type: str
    default: provisioning
  patterns:
    description:
      - Shell-style patterns (C(fnmatch)) of the file names to read; a file
        whose name matches none of them is ignored.
      - A folder with no matching file at all is an error (most likely a wrong
        O(path) or O(patterns)), not an empty subscriber list.
    type: list
    elements: str
    default: ['*.yml', '*.yaml']
notes:
  - The configuration file's name must end in C(subscribers.yml) or C(subscribers.yaml).
  - Ansible turns an inventory source that fails into a warning and goes on without
    it. The C(isp.provisioning.subscribers) role then finds no subscribers host and
    refuses to run, but to stop the run at the inventory, with the problems as the
    error, set C(ANSIBLE_INVENTORY_UNPARSED_FAILED=True) (C([inventory] unparsed_is_failed = True))
    when this configuration is the only inventory source, or
    C(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=True) (C([inventory] any_unparsed_is_failed = True))
    when it is one of several (an inventory folder, or several C(-i)).
  - When the files hold 1 MB or more in all, they are read and checked in worker
    processes (O(workers)); the hosts, the shards and the problems are those of one
    process reading the files in order.
  - Files are read with PyYAML's C(CSafeLoader) when PyYAML has LibYAML (thousands of
    files load fast), its C(SafeLoader) otherwise. Ansible's own tags (C(!vault),
    C(!unsafe)) are therefore not understood in subscriber files, and no value in
    them is ever templated.
"""

EXAMPLES = r"""
# inventory/subscribers.yml - every subscriber under ../subscribers/, on one host
plugin: isp.provisioning.subscribers
path: ../subscribers

---
# inventory/subscribers.yml - 200,000 subscribers on 16 shard hosts
# (subscribers_00 ... subscribers_15), for forks and AWX job slicing
plugin: isp.provisioning.subscribers
path: ../subscribers
shards: 16

---
# inventory/sofia.subscribers.yml - only files named block-*.yml, onto another host and group
plugin: isp.provisioning.subscribers
path: /srv/gitops/subscribers/sofia
host: subscribers_sofia
group: provisioning_sofia
patterns:
  - block-*.yml

# A subscriber file (subscribers/sofia/SUB-000101.yml):
#   id: SUB-000101
#   name: {first: Ana, last: Petrova}
#   onu: {sn: ALCL00A1B2C3, service: HGU}
#   ipdr: {}
# Many in one file: a list of such mappings, or {subscribers: [...]}.

# Run a playbook so that a problem in the repository stops it:
#   ANSIBLE_INVENTORY_UNPARSED_FAILED=True ansible-playbook -i inventory/subscribers.yml site.yml
"""

import ctypes
import gc
import os

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin


try:
    from ansible.template import trust_as_template
except ImportError:
    # ansible-core before 2.19 templates every inventory string that is not
    # marked unsafe: a subscriber's name could run a lookup on the controller.
    from ansible.utils.unsafe_proxy import wrap_var as untrusted

    def trust_as_template(value):
        return value
else:
    # 2.19 templates only what is marked trusted, and subscriber data never is.
    def untrusted(value):
        return value


def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    return trim


def keep_pages_shared_with_forks():
    """Give back what reading the repository left, then freeze what is left.

    Ansible forks a worker per host and task, sharing the controller's pages
    until one is written. A full garbage collection in a fork writes to every
    object the collector tracks, so each fork copied the pages of the
    controller's objects: Python's documented cure is gc.freeze() before
    forking, which moves every tracked object to a generation the collector
    never walks. Thawed first, so that a second parse (refresh_inventory, a
    second source) lets the objects the first one froze be collected again.
    The memory the parsing used at its peak stays with the process, freed but
    not returned (about 2 KB a subscriber); glibc's malloc_trim returns it.
    """
    gc.unfreeze()
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    gc.freeze()


class InventoryModule(BaseInventoryPlugin):
    """The subscriber repository, validated, on one host or several shard hosts."""

    NAME = "isp.provisioning.subscribers"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("subscribers.yml", "subscribers.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        self.add_shard_hosts(self.read_shards(path))
        # After read_shards has returned: what it validated and split is garbage now.
        keep_pages_shared_with_forks()

    # The module_utils that read and split a repository are imported where they
    # are used: ansible-core imports every enabled inventory plugin in every run
    # (one with -i localhost, too), and they import every backend's declarations,
    # a tenth of a second before the first task.

    def read_shards(self, path):
        """The repository's subscribers, validated and split into the shards' texts."""
        from ansible_collections.isp.provisioning.plugins.module_utils import (
            subscriber_repository,
            subscriber_yaml,
        )

        root = self.repository(path)
        patterns = [str(pattern) for pattern in self.get_option("patterns")]
        count = self.get_option("shards")
        if count < 1:
            raise AnsibleParserError(f"shards must be 1 or more, got {count}")
        workers = self.get_option("workers")
        if workers < 0:
            raise AnsibleParserError(f"workers must be 0 (one per core) or more, got {workers}")
        if not os.path.isdir(root):
            raise AnsibleParserError(f"the subscriber repository {root} is not a folder")
        files = subscriber_yaml.subscriber_files(root, patterns)
        if not files:
            # Most likely a wrong path or patterns: not a repository that declares nobody.
            raise AnsibleParserError(
                f"the subscriber repository {root} has no file named {' or '.join(patterns)}; "
                "nothing was sent to any backend")
        shards, problems = subscriber_repository.read_shards(root, files, count, workers)
        if problems:
            many = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
            raise AnsibleParserError(
                f"the subscriber repository {root} has {many}; nothing was sent to any "
                "backend:\n" + "\n".join(problems))
        return shards

    def repository(self, config_path):
        # Resolved here, not by the option type "path": that resolves a relative
        # path against the working directory, not the configuration's folder.
        root = os.path.expanduser(str(self.get_option("path")))
        return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(config_path)), root))

    def add_shard_hosts(self, shards):
        from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_checked import (
            vouch,
        )
        from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_repository import (
            compact_json,
        )
        from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_shards import (
            host_names,
        )

        group = self.inventory.add_group(str(self.get_option("group")))
        count = len(shards)
        names = host_names(str(self.get_option("host")), count)
        for index, (name, shard) in enumerate(zip(names, shards)):
            host = self.inventory.add_host(name, group=group)
            self.inventory.set_variable(host, "ansible_connection", "local")
            # The one template here, trusted so that 2.19 renders it.
            self.inventory.set_variable(host, "ansible_python_interpreter",
                                        trust_as_template("{{ ansible_playbook_python }}"))
            # One JSON text a shard, not a structure: ansible-core would hold every
            # value as an object of its own, and each fork a copy (see the filter
            # subscriber_records, which reads either, and checks again only a
            # text this process's inventory has not vouched for).
            self.inventory.set_variable(host, "subscribers_list", untrusted(
                vouch("[" + ",".join(shard.pop("subscribers")) + "]")))
            # Each section's keep as one JSON text too: as a list, its every
            # identity was an object of its own (five per subscriber).
            self.inventory.set_variable(host, "subscribers_shard", untrusted(
                {"index": index, "count": count,
                 "keep": {name: compact_json(kept) for name, kept in shard["keep"].items()}}))
