"""Write the sliced run's subscriber repository, what setup seeds, and what must come out.

    python generate.py FOLDER COUNT SHARDS

FOLDER/repository/subscribers/<district>/SL-000001.yml ...  one file per subscriber
FOLDER/repository/inventory/subscribers.yml                 the plugin, with SHARDS shards
FOLDER/seed.json      setup: undeclared records (SLX-*) and the leavers while still active
FOLDER/expected.json  per backend, the identities that must be there, and those that must not

Every subscriber is on most backends (a few skip one, for variety); every 100th
leaves (state absent: deleted everywhere but the IPDR store, which keeps the
record), every 50th is suspended, every 5th has a SIMPLer equipment item.
Files are JSON, which is YAML.
"""

import json
import os
import sys

STALE = 12  # undeclared records per backend that the purge must delete


def subscriber(n, state="active"):
    record = {
        "id": "SL-%06d" % n,
        "state": state,
        "name": {"first": "Slice", "last": "Tester%d" % n},
        "contact": {"mobile": "+35988%07d" % n, "email": "sl%06d@example.net" % n},
        "address": {"street": "%d Shard Street" % n, "city": "Sofia",
                    "region": "Sofia City", "postcode": "1000", "country": "Bulgaria"},
        "ipdr": {},
    }
    if n % 7 != 3:
        record["onu"] = {"sn": "SLSN%08X" % n, "service": "HGU"}
    if n % 11 != 5:
        record["crm"] = {"resellerid": 3}
    record["billing"] = {"customerstatus": "installed"}
    if n % 5 == 0:
        record["billing"]["equipment"] = [
            {"nickname": "cpe_sl_%06d" % n, "type": "nanostationsm", "status": "use"}]
    if n % 13 != 7:
        record["erp"] = {"house_id": 93, "tariff": 1}
    return record


def state_of(n):
    if n % 100 == 0:
        return "absent"
    return "suspended" if n % 50 == 25 else "active"


def stale(k):
    """An undeclared record on every backend, in every purge scope (SL*, house 93)."""
    return {"id": "SLX-%04d" % k, "organisation": "Stale Record %d" % k,
            "contact": {"mobile": "+35989%07d" % k, "email": "slx%04d@example.net" % k},
            "address": {"street": "%d Old Street" % k, "city": "Sofia", "region": "Sofia City",
                        "postcode": "1000", "country": "Bulgaria"},
            "onu": {"sn": "SLX%08X" % k, "service": "HGU"}, "crm": {"resellerid": 3},
            "billing": {"customerstatus": "installed"}, "ipdr": {},
            "erp": {"house_id": 93, "tariff": 1}}


IDENTITY = {"onu": lambda r: r["onu"]["sn"], "crm": lambda r: r["id"],
            "billing": lambda r: r["id"], "ipdr": lambda r: r["id"], "erp": lambda r: r["id"]}


def expected(subscribers, stale_records):
    wanted = {name: {"present": [], "gone": [], "disabled": [], "paused": []}
              for name in IDENTITY}
    for record in subscribers:
        for name, identity in IDENTITY.items():
            if name not in record:
                continue
            kept = record["state"] != "absent" or name == "ipdr"
            wanted[name]["present" if kept else "gone"].append(identity(record))
        if record["state"] == "suspended":
            if "onu" in record:
                wanted["onu"]["disabled"].append(record["onu"]["sn"])
            if "erp" in record:
                wanted["erp"]["paused"].append(record["id"])
    for record in stale_records:
        for name, identity in IDENTITY.items():
            wanted[name]["gone"].append(identity(record))
    wanted["equipment"] = sorted(
        item["nickname"] for record in subscribers
        for item in record["billing"].get("equipment", []))
    return wanted


def write_json(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        json.dump(data, handle, indent=1)
        handle.write("\n")


def main(folder, count, shards):
    subscribers = [subscriber(n, state_of(n)) for n in range(1, count + 1)]
    for record in subscribers:
        district = "district-%d" % (int(record["id"][3:]) % 10)
        write_json(os.path.join(folder, "repository", "subscribers", district,
                                record["id"] + ".yml"), record)
    inventory = os.path.join(folder, "repository", "inventory")
    os.makedirs(inventory, exist_ok=True)
    with open(os.path.join(inventory, "subscribers.yml"), "w") as handle:
        handle.write("plugin: isp.provisioning.subscribers\npath: ../subscribers\n"
                     "shards: %d\n" % shards)
    stale_records = [stale(k) for k in range(1, STALE + 1)]
    # The leavers existed before they left: setup converges them as active.
    leavers = [dict(record, state="active") for record in subscribers
               if record["state"] == "absent"]
    write_json(os.path.join(folder, "seed.json"), stale_records + leavers)
    write_json(os.path.join(folder, "expected.json"), expected(subscribers, stale_records))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
