"""Generated subscribers for the benchmark, and each backend's records from them.

Subscriber ``n`` is the same in every run: the benchmark converges it once
(creating), then measures runs that change nothing. The backends' records
come from the collection's own fan-out, so the per-backend runs declare
exactly what the subscriber layer would.
"""

import functools
import json
import os

import yaml

from ansible_collections.isp.provisioning.plugins.module_utils.subscriber import (
    SECTIONS,
    fan_out,
    validate,
)
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_shards import (
    PURGEABLE,
    purge_options,
    split,
)

# section -> (module, its list option)
MODULES = {
    "onu": ("onu_customer", "customers"),
    "crm": ("crm_customer", "customers"),
    "billing": ("simpler_customer", "customers"),
    "billing_equipment": ("simpler_equipment", "equipment"),
    "ipdr": ("ipdr_customer", "customers"),
    "erp": ("userside_customer", "customers"),
}


def subscriber(n, prefix="BN"):
    """Subscriber number ``n``, on all five backends (with one piece of equipment)."""
    sid = f"{prefix}-{n:07d}"
    return {
        "id": sid,
        "name": {"first": "Bench", "last": f"Subscriber {n}"},
        "contact": {"mobile": f"+3598{n:08d}", "email": f"{sid.lower()}@bench.example.net"},
        "address": {"street": f"{n % 200 + 1} Bench St", "city": "Sofia",
                    "region": "Sofia City", "postcode": "1000", "country": "Bulgaria"},
        "onu": {"sn": f"{prefix}{n:010X}", "service": "HGU"},
        "crm": {"resellerid": 3},
        "billing": {"customerstatus": "current", "equipment": [{
            "nickname": f"cpe_{sid.lower().replace('-', '_')}", "type": "nanostationsm",
            "mac": "02:%02X:%02X:%02X:%02X:%02X" % (
                (n >> 32) & 255, (n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255),
            "ipaddress": "10.%d.%d.%d" % ((n >> 16) & 255, (n >> 8) & 255, n & 255),
            "status": "use"}]},
        "ipdr": {},
        "erp": {"house_id": 12, "tariff": 1},
    }


def subscribers(count, prefix="BN"):
    return [subscriber(n, prefix) for n in range(1, count + 1)]


# The cities the CRM emulator's generated customers live in, in turn.
SEEDED_CITIES = [("Goa", "Panaji", "403001"), ("Goa", "Margao", "403601"),
                 ("Kerala", "Kochi", "682001"), ("Karnataka", "Mangaluru", "575001")]


def seeded(n, prefix="SD"):
    """Subscriber ``n`` as every emulator holds it after ``POST /_emulator/seed``.

    Each emulator generates its own record ``n`` (``generate`` in its module):
    they share the key ``<prefix>-<n:06d>``, and a section names the values
    its backend was seeded with where they differ from the shared ones. A
    repository of these converges, the first run included, without a write.
    """
    sid = f"{prefix}-{n:06d}"
    lower = prefix.lower()
    state, city, zipcode = SEEDED_CITIES[n % len(SEEDED_CITIES)]
    street = f"{n} {prefix} Street"
    return {
        "id": sid,
        "name": {"first": f"{prefix} Customer {n:06d}"},
        "contact": {"email": f"{lower}{n:06d}@example.net"},
        "address": {"street": street, "city": city, "region": state, "postcode": zipcode},
        "onu": {"sn": f"{prefix}{n:08X}", "service": "Internet_4port",
                "name": f"{prefix} ONU {n}", "address": ""},
        "crm": {"resellerid": 1, "mobile": f"7{n:09d}"},
        "billing": {
            "nickname": f"{lower}_{n:06d}", "customerstatus": "potential",
            "email": f"{lower}_{n:06d}@example.net", "country": "Poland",
            "installation_address": {"street1": street, "town": "London",
                                     "postcode": f"{n % 100000:05d}"},
            "equipment": [{
                "nickname": f"cpe_{lower}_{n:06d}", "type": "nanostationsm", "status": "use",
                "mac": "06:%02X:%02X:%02X:%02X:%02X" % (
                    (n >> 32) & 255, (n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255),
                "ipaddress": "10.%d.%d.%d" % (128 + ((n >> 16) & 127), (n >> 8) & 255, n & 255),
            }]},
        "ipdr": {"address": "Chennai", "phone_number": f"9{n:09d}"},
        "erp": {"login": f"{lower}-{n:06d}", "agreement_number": sid,
                "account_number": f"{prefix}{n:06d}", "email": f"{lower}-{n:06d}@example.net",
                "mobile_phone": f"+7{n:010d}", "house_id": 12, "group_id": 1, "tariff": 1},
    }


def records(count, section, prefix="BN", make=subscriber):
    """The records the fan-out gives one backend section for ``count`` subscribers."""
    valid, problems = validate([make(n, prefix) for n in range(1, count + 1)])
    if problems:
        raise ValueError("; ".join(problems[:5]))
    return fan_out(valid)[section]["records"]


@functools.lru_cache(maxsize=1)
def first_shard(count, shards, prefix="SD"):
    """Shard 0 of ``count`` seeded subscribers split into ``shards``, and its fan-out."""
    valid, problems = validate([seeded(n, prefix) for n in range(1, count + 1)])
    if problems:
        raise ValueError("; ".join(problems[:5]))
    shard = split(valid, shards)[0]
    return shard, fan_out(shard["subscribers"])


def shard_task(section, count, shards, prefix="SD"):
    """Shard 0 of ``count`` seeded subscribers split into ``shards``: (its records of
    ``section``, the purge options the role gives its task - purge on where the
    section can purge, with the shard's partition, in the scope of the seeded
    records (not the emulator's own fixtures, which no subscriber declares))."""
    shard, fanned = first_shard(count, shards, prefix)
    purged = [section] if section in PURGEABLE else []
    scopes = {name: {SECTIONS[name].identity: f"{prefix}*"} for name in purged}
    options = purge_options(fanned, purged, scopes, shard={"index": 0, "count": shards,
                                                           "keep": shard["keep"]})
    return fanned[section]["records"], options.get(section, {"purge": False})


def write_repository(folder, count, per_file=1000, prefix="BN", make=subscriber):
    """A subscriber repository of ``count`` subscribers (``make(n, prefix)``), ``per_file``
    to a file."""
    os.makedirs(folder, exist_ok=True)
    everyone = [make(n, prefix) for n in range(1, count + 1)]
    for start in range(0, count, per_file):
        path = os.path.join(folder, f"block-{start // per_file:05d}.yml")
        with open(path, "w") as handle:
            # JSON is YAML: written (and read back by the C loader) fast.
            json.dump(everyone[start:start + per_file], handle)
    return folder


def write_vars(path, name, value):
    with open(path, "w") as handle:
        json.dump({name: value}, handle)


def load_yaml(path):
    with open(path) as handle:
        return yaml.safe_load(handle)
