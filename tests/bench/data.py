"""Generated subscribers for the benchmark, and each backend's records from them.

Subscriber ``n`` is the same in every run: the benchmark converges it once
(creating), then measures runs that change nothing. The backends' records
come from the collection's own fan-out, so the per-backend runs declare
exactly what the subscriber layer would.
"""

import json
import os

import yaml

from ansible_collections.isp.provisioning.plugins.module_utils.subscriber import (
    fan_out,
    validate,
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


def records(count, section, prefix="BN"):
    """The records the fan-out gives one backend section for ``count`` subscribers."""
    valid, problems = validate(subscribers(count, prefix))
    if problems:
        raise ValueError("; ".join(problems[:5]))
    return fan_out(valid)[section]["records"]


def write_repository(folder, count, per_file=1000, prefix="BN"):
    """A subscriber repository of ``count`` subscribers, ``per_file`` to a file."""
    os.makedirs(folder, exist_ok=True)
    everyone = subscribers(count, prefix)
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
