"""How long each emulator takes to answer, at 1,000 and at 200,000 stored records.

    python -m tests.emulators.servicetime [--sizes 1000,200000] [--samples 300]
                                          [--rounds 5] [--json FILE] [BACKEND ...]

For each backend, one emulator per size runs in this process on a fresh
database seeded with that many generated records (``seed_records``), and
Flask's test client sends each the requests a module sends: lookups of one
record by its key, updates of one record, creates, ``--samples`` of each on
records picked at random (the same picks every run), and the reads of a whole
list: page by page where the API pages (CRM, SIMPLer's searchCustomer: every
page, as the modules read them), else in one answer (kind ``list``, once a
round; its figure is per 1,000 records listed, since the answer grows with
them). The sizes take turns, ``--rounds`` times per phase, so that a busy
machine slows them alike. The figures are the emulator's own
(``/_emulator/stats``: from its first request hook to its answer, without the
test client's own work): the median per endpoint, in milliseconds. Issue 15's
target: at 200,000 records, each median of a read or a write within 2x of its
figure at 1,000 (the exit status says whether all are; a whole list is shown,
not judged: its cost per record grows with the memory the answer takes).

:func:`measure` gives one backend's figures, for the benchmark.
"""

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time

from tests.emulators import emulator_class
from tests.emulators.crm import SEED_API_KEY
from tests.emulators.ipdr import TOKEN

DEFAULT_SIZES = (1000, 200000)
TARGET = 2.0


class Scenario:
    """The requests of one backend; each phase names the endpoint (counter) it times."""

    config = {}

    def __init__(self, client, records, samples):
        self.client = client
        self.records = records
        self.samples = samples  # requests of a phase in one round
        self.pick = random.Random(15)
        self.created = 0

    def numbers(self):
        """Generated record numbers to work on (1 .. records)."""
        return [self.pick.randint(1, self.records) for _time in range(self.samples)]

    def new_numbers(self):
        """Numbers of records to create, new in every round."""
        self.created += self.samples
        return range(self.created - self.samples, self.created)

    def phases(self):
        """(kind, endpoint counter, callable sending the phase's requests)."""
        raise NotImplementedError


class Onu(Scenario):
    config = {"nbf_delay": 0}

    def post(self, endpoint, body):
        answer = self.client.post("/API/" + endpoint, json=dict(body, jwt=self.token))
        assert answer.status_code in (200, 201), answer.data

    def phases(self):
        self.token = self.client.post("/API/api_login.php", json={
            "username": "admin", "password": "admin123"}).get_json()["jwt"]
        serial = "BENCH%08X"
        return [
            ("read", "/API/get_customers_one.php", lambda: [
                self.post("get_customers_one.php", {"sn": serial % n}) for n in self.numbers()]),
            ("write", "/API/update_customer.php", lambda: [
                self.post("update_customer.php", {"sn": serial % n, "name": "U%d" % n,
                                                  "state": "YES"}) for n in self.numbers()]),
            ("create", "/API/create_customer.php", lambda: [
                self.post("create_customer.php", {"sn": "NEW%09X" % i, "name": "n",
                                                  "auto": "YES", "state": "YES"})
                for i in self.new_numbers()]),
            ("list", "/API/get_customers.php", lambda: self.post("get_customers.php", {})),
        ]


class Crm(Scenario):
    def post(self, action, **form):
        answer = self.client.post("/api/customer/" + action,
                                  data=dict(form, userid="5", api_key=SEED_API_KEY))
        body = answer.get_json()
        assert body["error"] is None, body
        return body["result"]

    def read_every_page(self):
        """The module's read: the count, every page of 100 by id, the count again."""
        self.post("list", show_count="1")
        offset = 0
        while True:
            page = self.post("list", rows_limit="100", rows_offset=str(offset),
                             sort_field="id", sort_order="asc")
            offset += len(page)
            if len(page) < 100:
                break
        self.post("list", show_count="1")

    def phases(self):
        # Generated customer n has id 1252 + n (after the 252 seed customers).
        return [
            ("read", "list", self.read_every_page),
            ("read", "list", lambda: [self.post("list", customerid=str(1252 + n))
                                      for n in self.numbers()]),
            ("write", "update", lambda: [self.post("update", customerid=str(1252 + n),
                                                   notes="n%d" % n) for n in self.numbers()]),
            ("create", "create", lambda: [self.post(
                "create", resellerid="1", type="Individual", name="New %d" % i,
                mobile="1%d" % i, email="n%d@example.net" % i, zipcode="1", state="Goa",
                city="Panaji", street="s", uniqueid="NEW-%d" % i) for i in self.new_numbers()]),
        ]


class Simpler(Scenario):
    def call(self, function, **params):
        answer = self.client.post("/restapi/API/" + function, json=dict(
            params, api_username="username", api_password="password", operator="operator"))
        result = answer.get_json()["result"]
        assert not (isinstance(result, str) and result.startswith("ERROR")), result
        return result

    def read_every_page(self):
        """A whole read as the module does it: searchCustomer page by page, by id."""
        offset = 0
        while True:
            page = self.call("searchCustomer", limit="500", offset=str(offset))["customer"]
            offset += len(page)
            if len(page) < 500:
                break

    def phases(self):
        # Generated customer n has id 2 + n, its item of equipment 127 + n.
        return [
            ("read", "searchCustomer", self.read_every_page),
            ("read", "searchCustomer", lambda: [
                self.call("searchCustomer", invoicingid="SEED-%06d" % n) for n in self.numbers()]),
            ("read", "getCustomerData", lambda: [
                self.call("getCustomerData", customerid=str(2 + n), customFields="1")
                for n in self.numbers()]),
            ("read", "listEquipment", lambda: [
                self.call("listEquipment", nickname="cpe_seed_%06d" % n) for n in self.numbers()]),
            ("write", "modifyCustomer", lambda: [
                self.call("modifyCustomer", customerid=str(2 + n), email="m%d@example.net" % n)
                for n in self.numbers()]),
            ("write", "modifyEquipment", lambda: [
                self.call("modifyEquipment", equipid=str(127 + n), description="d%d" % n)
                for n in self.numbers()]),
            ("create", "addCustomer", lambda: [
                self.call("addCustomer", name="New %d" % i, nickname="new_%d" % i,
                          invoicingid="NEW-%d" % i) for i in self.new_numbers()]),
            ("list", "listEquipment", lambda: self.call("listEquipment")),
        ]


class Ipdr(Scenario):
    def send(self, method, path, **body):
        answer = self.client.open("/api/ipdrcustomers" + path, method=method, json=dict(
            body, api_token=TOKEN, username="user", contextname="default"))
        assert answer.status_code == 200 and b'"status"' not in answer.data[:40], answer.data

    def phases(self):
        return [
            ("read", "GET ipdrcustomers/id", lambda: [
                self.send("GET", "/SEED-%06d" % n) for n in self.numbers()]),
            ("write", "PATCH ipdrcustomers/id", lambda: [
                self.send("PATCH", "/SEED-%06d" % n, Email="p%d@example.net" % n)
                for n in self.numbers()]),
            ("create", "POST ipdrcustomers", lambda: [
                self.send("POST", "", UserID="NEW-%d" % i, Name="New %d" % i)
                for i in self.new_numbers()]),
            ("list", "GET ipdrcustomers", lambda: self.send("GET", "")),
        ]


class Userside(Scenario):
    def api(self, action, **params):
        answer = self.client.post("/api.php", query_string={
            "key": "userside-test-key", "cat": "customer", "action": action}, data=params)
        assert answer.status_code == 200, answer.data
        return answer.get_json()

    def phases(self):
        # Generated customer n has id 3 + n (after the three seed customers).
        return [
            ("read", "customer.get_abon_id", lambda: [
                self.api("get_abon_id", data_typer="login", data_value="seed-%06d" % n)
                for n in self.numbers()]),
            ("read", "customer.get_data", lambda: [
                self.api("get_data", customer_id=str(3 + n)) for n in self.numbers()]),
            ("write", "customer.edit", lambda: [
                self.api("edit", id=str(3 + n), comment="c%d" % n) for n in self.numbers()]),
            ("create", "customer.add", lambda: [
                self.api("add", fio="New %d" % i) for i in self.new_numbers()]),
        ]


SCENARIOS = {"onu": Onu, "crm": Crm, "simpler": Simpler, "ipdr": Ipdr, "userside": Userside}


def measure(backend, sizes=DEFAULT_SIZES, samples=300, rounds=5, folder=None):
    """{size: {"seed_seconds": s, "endpoints": [{kind, endpoint, requests, median_ms}, ...]}}
    for ``backend`` holding each number of generated records; a ``list`` row also
    gives ``per_1000_ms``, its median per 1,000 records listed."""
    own = folder is None
    folder = folder or tempfile.mkdtemp(prefix="servicetime-")
    scenario_class = SCENARIOS[backend]
    emulators, figures = {}, {}
    try:
        for size in sizes:
            started = time.perf_counter()
            emulators[size] = emulator_class(backend)(
                os.path.join(folder, "%s-%d.sqlite" % (backend, size)), seed_records=size,
                **scenario_class.config)
            figures[size] = {"seed_seconds": round(time.perf_counter() - started, 2),
                             "endpoints": []}
        clients = {size: emulator.app.test_client() for size, emulator in emulators.items()}
        phases = {size: scenario_class(clients[size], size, -(-samples // rounds)).phases()
                  for size in sizes}
        for index, (kind, endpoint, _send) in enumerate(phases[sizes[0]]):
            for client in clients.values():
                client.delete("/_emulator/stats")
            for _round in range(rounds):
                for size in sizes:
                    phases[size][index][2]()
            for size in sizes:
                stats = clients[size].get("/_emulator/stats").get_json()["endpoints"][endpoint]
                row = dict(kind=kind, endpoint=endpoint, requests=stats["requests"],
                           median_ms=stats["median_ms"])
                if kind == "list":
                    row["per_1000_ms"] = round(stats["median_ms"] * 1000.0 / size, 3)
                figures[size]["endpoints"].append(row)
        return figures
    finally:
        for emulator in emulators.values():
            emulator.store.conn.close()
        if own:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.emulators.servicetime",
                                     description=__doc__.split("\n", 1)[0])
    parser.add_argument("backends", nargs="*", default=sorted(SCENARIOS))
    parser.add_argument("--sizes", default=",".join(str(n) for n in DEFAULT_SIZES))
    parser.add_argument("--samples", type=int, default=300,
                        help="requests per endpoint and size")
    parser.add_argument("--rounds", type=int, default=5,
                        help="turns the sizes take in each phase")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args(argv)
    sizes = [int(n) for n in options.sizes.split(",")]
    results, worst = {}, 0.0
    print("%-9s %-6s %-26s %s  ratio" % ("backend", "kind", "endpoint", "  ".join(
        "%9s" % ("%d ms" % n if n < 1000 else "%dk ms" % (n // 1000)) for n in sizes)))
    for backend in options.backends:
        runs = measure(backend, sizes, options.samples, options.rounds)
        results[backend] = runs
        for index, row in enumerate(runs[sizes[0]]["endpoints"]):
            figure = "per_1000_ms" if row["kind"] == "list" else "median_ms"
            medians = [runs[size]["endpoints"][index][figure] for size in sizes]
            ratio = medians[-1] / medians[0] if medians[0] else float("inf")
            judged = row["kind"] != "list"
            worst = max(worst, ratio if judged else 0.0)
            print("%-9s %-6s %-26s %s  %5.2f%s" % (
                backend, row["kind"], row["endpoint"] + ("" if judged else " /1k"),
                "  ".join("%9.3f" % median for median in medians), ratio,
                "" if ratio <= TARGET or not judged else "  over %gx" % TARGET), flush=True)
        print("%-9s seeded in %s" % (backend, ", ".join(
            "%.1f s (%d)" % (runs[size]["seed_seconds"], size) for size in sizes)), flush=True)
    if options.json:
        with open(options.json, "w") as handle:
            json.dump(results, handle, indent=1)
    print("largest ratio of a read or a write %.2f (target %g)" % (worst, TARGET))
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
