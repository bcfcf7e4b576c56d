"""A list answer sifted as it is decoded: only the rows a task keeps are ever held."""

import json

from ansible_collections.isp.provisioning.plugins.module_utils.http_session import find_json
from ansible_collections.isp.provisioning.plugins.module_utils.relevance import Sieve

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
