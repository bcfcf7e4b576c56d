"""Substring searches narrowed by trigram indexes answer exactly what reading every record does."""

import json
import random

import pytest

from tests.emulators import fulltext, simpler_api
from tests.emulators.crm import SEED_API_KEY, CrmEmulator
from tests.emulators.simpler import SimplerEmulator
from tests.emulators.simpler_store import SEARCH_FIELDS, search_summary
from tests.emulators.userside import UsersideEmulator

SIMPLER_AUTH = {"api_username": "username", "api_password": "password", "operator": "operator"}
# Letters whose case Python, FTS5 and SQLite fold differently, and the LIKE wildcards.
LETTERS = "aAbBsSkKiI \u212a\u0130\u03a3\u03c3\u03c2\u00df\u1e9e\u00c9\u00e9_%-"


def text(pick, longest=12):
    return "".join(pick.choice(LETTERS) for _index in range(pick.randint(0, longest)))


def probes(pick, values, count=100):
    """Pieces of stored values (found), re-cased (maybe found) and made up (rarely found)."""
    for _index in range(count):
        value = pick.choice(values)
        start = pick.randint(0, max(0, len(value) - 1))
        piece = value[start:start + pick.randint(1, 12)] or "a"
        yield pick.choice([piece, piece.upper(), piece.lower(), text(pick) or "a"])


def brute_force_search(records, params):
    """searchCustomer as the emulator answered it before any index: every record read."""
    sensitive = params.get("case_sensitive") == "1"
    found = []
    for record in records:
        summary = search_summary(record)
        extra = {"nickname": record["nickname"], "invoicingid": record["invoicingid"]}
        ok = True
        for key, value in params.items():
            if key not in SEARCH_FIELDS + ("nickname", "invoicingid") or value == "":
                continue
            have = summary.get(key, extra.get(key, ""))
            if key == "customerid":
                ok = ok and have == value.strip()
            elif sensitive:
                ok = ok and value in have
            else:
                ok = ok and value.lower() in have.lower()
        if ok:
            found.append(summary["customerid"])
    return found


def test_simpler_search_answers_as_reading_every_customer(tmp_path):
    emulator = SimplerEmulator(str(tmp_path / "s.sqlite"), search_shape="list")
    client = emulator.app.test_client()
    pick = random.Random(15)

    def call(function, **params):
        return client.post("/restapi/API/" + function,
                           json=dict(SIMPLER_AUTH, **params)).get_json()["result"]

    for n in range(60):
        assert call("addCustomer", name=text(pick) + " " + text(pick), nickname="n%d_%s" % (
            n, "".join(pick.choice("abAB_") for _index in range(6))), invoicingid=text(pick) + str(n),
            email=text(pick), address=":::".join(text(pick) for _index in range(6))).startswith("OK")
    records = [json.loads(row["data"]) for row in emulator.store.query(
        "SELECT data FROM customers ORDER BY id")]
    values = {field: [search_summary(record)[field] for record in records]
              for field in ("city", "email", "firstname", "lastname", "street1", "postcode")}
    values.update(nickname=[r["nickname"] for r in records],
                  invoicingid=[r["invoicingid"] for r in records])
    checked = 0
    for field, stored in sorted(values.items()):
        for probe in probes(pick, stored):
            for sensitive in ("0", "1"):
                params = {field: probe, "case_sensitive": sensitive, "limit": "1000"}
                answer = call("searchCustomer", **params)
                expected = brute_force_search(records, params)
                assert [c["customerid"] for c in answer["customer"]] == expected, params
                assert answer["results"] == str(len(expected))
                checked += bool(expected)
    assert checked > 600  # most probes find someone: the test compares real answers
    emulator.store.conn.close()


def test_simpler_equipment_search_answers_as_reading_every_item(tmp_path):
    emulator = SimplerEmulator(str(tmp_path / "s.sqlite"))
    client = emulator.app.test_client()
    pick = random.Random(16)

    def call(function, **params):
        return client.post("/restapi/API/" + function,
                           json=dict(SIMPLER_AUTH, **params)).get_json()["result"]

    for n in range(40):
        call("addEquipment", nickname="%s%d" % (text(pick), n), mac="02:%02X:00:00:%02X:0a" % (
            pick.randint(0, 255), n))
    items = call("listEquipment")["equipment"]
    for field in ("nickname", "macaddress"):
        for probe in probes(pick, [item[field] for item in items]):
            expected = [i["id"] for i in items if probe.lower() in i[field].lower()]
            answer = call("listEquipment", **{field: probe})["equipment"]
            assert [item["id"] for item in answer] == expected, (field, probe)
    emulator.store.conn.close()


@pytest.mark.parametrize("column", ["name", "username"])
def test_crm_patterns_answer_as_like_over_every_customer(tmp_path, column):
    emulator = CrmEmulator(str(tmp_path / "c.sqlite"))
    client = emulator.app.test_client()
    pick = random.Random(17)
    with emulator.store.transaction() as db:
        for n in range(80):
            db.execute("UPDATE customers SET %s = ? WHERE id = ?" % column, (
                text(pick) or None, 1001 + n))
    names = [row[column] or "" for row in emulator.store.query("SELECT * FROM customers")]
    for probe in probes(pick, names):
        # The CRM strips every form value (its docstring): so does the pattern here.
        pattern = (pick.choice(["%", "_", ""]) + probe + pick.choice(["%", ""])).strip()
        expected = [row["id"] for row in emulator.store.query(
            "SELECT id FROM customers WHERE ispid = 1 AND %s LIKE ? ORDER BY id" % column,
            (pattern,))]
        answer = client.post("/api/customer/list", data={
            "userid": "5", "api_key": SEED_API_KEY, column: pattern,
            "rows_limit": "100"}).get_json()["result"]
        assert [int(row["id"]) for row in answer] == expected[:100], pattern
    emulator.store.conn.close()


def test_userside_name_like_answers_as_like_over_every_customer(tmp_path):
    emulator = UsersideEmulator(str(tmp_path / "u.sqlite"))
    client = emulator.app.test_client()
    pick = random.Random(18)
    for _index in range(60):
        client.post("/api.php", query_string={"key": "userside-test-key", "cat": "customer",
                                              "action": "add"}, data={"fio": text(pick)})
    names = [row["full_name"] for row in emulator.store.query("SELECT full_name FROM customers")]
    for probe in probes(pick, names):
        expected = [row["id"] for row in emulator.store.query(
            "SELECT id FROM customers WHERE full_name LIKE ? ORDER BY id", ("%" + probe + "%",))]
        answer = client.post("/api.php", query_string={
            "key": "userside-test-key", "cat": "customer", "action": "get_customers_id"},
            data={"name": probe, "is_like": "1"}).get_json()
        assert answer["data"] == expected, probe
    emulator.store.conn.close()


def test_like_is_narrowed_only_when_the_index_can_find_it():
    assert fulltext.like_narrows("%abc%") and fulltext.like_narrows("_x%abc")
    assert not fulltext.like_narrows("abc%")  # a prefix: the b-tree index finds it
    assert not fulltext.like_narrows("%ab%c%")  # no three characters in a row


def test_a_piece_that_finds_too_many_rows_gives_way_to_the_whole_text(tmp_path, monkeypatch):
    emulator = SimplerEmulator(str(tmp_path / "s.sqlite"), seed_records=30)
    monkeypatch.setattr(fulltext, "FEW", 5)
    with emulator.store.traced() as issued:
        # The last five characters are in one customer's nickname, the first five in
        # every one's: the last five name the candidates.
        found = fulltext.candidates(emulator.store.query, "customer_search", "lc_nickname",
                                    "seed_000012")
    assert len(issued) == 1 and found == [14]
    with emulator.store.traced() as issued:
        # "e.net" and "seed_" are in every e-mail address: the whole text decides.
        found = fulltext.candidates(emulator.store.query, "customer_search", "lc_email",
                                    "seed_000012@example.net")
    assert len(issued) == 3 and found == [14]
    assert fulltext.candidates(emulator.store.query, "customer_search", "lc_email", "ab") is None
    emulator.store.conn.close()


def test_a_narrowed_search_reads_few_candidates_in_one_statement(tmp_path, monkeypatch):
    emulator = SimplerEmulator(str(tmp_path / "s.sqlite"), seed_records=40)
    client = emulator.app.test_client()

    def search(**params):
        return client.post("/restapi/API/searchCustomer", json=dict(
            SIMPLER_AUTH, **params)).get_json()["result"]

    search(invoicingid="SEED-000011")  # the caller's account read (and kept)
    with emulator.store.traced() as issued:
        found = search(invoicingid="SEED-000012", limit="500", offset="0")
    # The trigram lookup, then the summaries of the matches (no ids read first).
    assert len(issued) == 2 and list(found["customer"]) == ["14"]
    pages = [dict(email="example.net", limit=limit, offset=offset, order=order)
             for limit, offset in (("500", "0"), ("7", "0"), ("7", "35"), ("5", "-3"), ("3", "99"))
             for order in ("customerid", "firstname")]
    one_statement = [search(**page) for page in pages]
    monkeypatch.setattr(simpler_api, "FEW", 0)  # every search reads the ids first
    assert [search(**page) for page in pages] == one_statement
    assert one_statement[0]["results"] == "41" and len(one_statement[0]["customer"]) == 41
    emulator.store.conn.close()
