"""A list answer sifted as it is decoded: only the rows a task keeps are ever held."""

import json

from ansible_collections.isp.provisioning.plugins.module_utils.http_session import find_json
from ansible_collections.isp.provisioning.plugins.module_utils.ipdr.customers import IpdrCustomers
from ansible_collections.isp.provisioning.plugins.module_utils.relevance import Relevance, Sieve

KEPT = {"S00007", "S04999"}


def customers(count, **extra):
    return [dict({"sn": "S%05d" % number, "name": "n"}, **extra) for number in range(count)]


def sieve_judging(judged):
    """A sieve keeping KEPT; ``judged`` collects each row it is asked about."""
    def keep(row):
        judged.append(row["sn"])
        return row["sn"] in KEPT
    return Sieve(keep, "sn")


def rows_of(answer):
    return answer.get("customers") if isinstance(answer, dict) else None


def test_a_big_answer_holds_only_the_rows_kept_each_judged_as_decoded():
    text = json.dumps({"customers": customers(5000), "total": 5000})
    judged = []
    answer = sieve_judging(judged).parse(text, rows_of)
    assert len(judged) == 5000  # every row judged, once
    assert [row["sn"] for row in answer["customers"]] == sorted(KEPT)
    assert answer["total"] == 5000


def test_diagnostics_before_the_json_are_still_skipped():
    text = "Warning: snmp [timeout]\n" + json.dumps({"customers": customers(10)})
    assert Sieve(lambda row: row["sn"] == "S00003", "sn").parse(text, rows_of) == {
        "customers": [{"sn": "S00003", "name": "n"}]}


def test_an_answer_of_another_shape_reads_as_it_did_unsifted():
    refuse = Sieve(lambda row: False, "sn")
    # a refused object that is no row of the list: the body itself, or one inside a row
    for text in (json.dumps({"error": "Invalid token", "sn": "S1"}),
                 json.dumps({"customers": customers(3, onu={"sn": "other"})}),
                 json.dumps({"customers": customers(3) + [None]})):
        assert refuse.parse(text, rows_of) == find_json(text)


def test_without_a_refused_row_the_answer_is_find_jsons():
    for text in ('{"error": "Invalid token"}', "", "<html>502</html>", '{"customers": [{"id": 1}]}'):
        assert Sieve(lambda row: False, "sn").parse(text, rows_of) == find_json(text)


# --- the read's own judgement: only what the sieve could not judge -------------------

class CountingRelevance(Relevance):
    """A relevance that counts the records it judges."""

    judged = 0

    def __call__(self, record):
        self.judged += 1
        return super().__call__(record)


class ListingClient:
    """An IPDR client whose list answer is ``text``, parsed as the real client does."""

    def __init__(self, text):
        self.text = text

    def customers(self, sieve=None):
        parse = sieve.parser(lambda answer: answer) if sieve else find_json
        return parse(self.text)


def ipdr_listing(rows, declared):
    backend = IpdrCustomers(ListingClient(json.dumps(rows)))
    backend.relevant = CountingRelevance(backend, [{"user_id": key} for key in declared])
    return backend


def judged_unsifted(backend, rows):
    """What the read kept before the sieve: every row judged whole."""
    return [backend.from_wire(row) for row in rows
            if backend.relevant(backend.decoded(row, backend.relevant.read))]


def ipdr_rows(count, **extra):
    return [dict({"UserID": "U%04d" % number, "Name": "n"}, **extra) for number in range(count)]


def test_a_listed_row_is_judged_once_the_rows_without_an_identity_by_the_read():
    """The sieve judges each row holding the identity's wire name as it is decoded;
    the read judges only the others (here two with the identity under no name)."""
    rows = ipdr_rows(1000) + [{"Name": "no identity"}, {"Name": "nor this one"}]
    backend = ipdr_listing(rows, ["U0007", "U0999"])
    records = backend.listed(backend.client.customers)
    assert [record["user_id"] for record in records] == ["U0007", "U0999"]
    assert backend.relevant.judged == len(rows)  # once each: 1,000 as decoded, 2 by the read
    assert records == judged_unsifted(ipdr_listing(rows, ["U0007", "U0999"]), rows)


def test_an_answer_read_again_unsifted_has_every_row_judged_by_the_read():
    # an object inside a row holds the identity's name: the sieve cannot tell rows apart
    rows = ipdr_rows(50, Parent={"UserID": "elsewhere"})
    backend = ipdr_listing(rows, ["U0003"])
    sieve = backend.sieve()
    assert sieve.parse(json.dumps(rows), lambda answer: answer) == rows
    assert not any(sieve.kept(row) for row in rows)
    records = backend.listed(backend.client.customers)
    assert [record["user_id"] for record in records] == ["U0003"]
    assert records == judged_unsifted(ipdr_listing(rows, ["U0003"]), rows)


def test_a_row_is_kept_unjudged_only_from_an_answer_the_sieve_sifted():
    sieve = Sieve(lambda row: row["sn"] in KEPT, "sn")
    answer = sieve.parse(json.dumps({"customers": customers(10) + [{"name": "x"}]}), rows_of)
    assert [sieve.kept(row) for row in answer["customers"]] == [True, False]
    sieve.parse(json.dumps({"customers": customers(3, onu={"sn": "other"})}), rows_of)
    assert not sieve.kept({"sn": "S00007"})


def test_each_page_of_a_list_says_for_itself_whether_its_rows_were_judged():
    """A list read over two answers: the first read again unsifted (an object in a
    row holds the identity's name), the second sifted. The first page's rows are
    still the read's to judge, whatever the page after them was."""
    sieve = Sieve(lambda row: row["sn"] in KEPT, "sn")
    first = sieve.parse(json.dumps({"customers": customers(5, onu={"sn": "other"})}), rows_of)
    second = sieve.parse(json.dumps({"customers": customers(10)}), rows_of)
    assert len(first["customers"]) == 5  # unsifted: every row, none judged
    assert not any(sieve.kept(row) for row in first["customers"])
    assert [sieve.kept(row) for row in second["customers"]] == [True]
