"""The service-time measurement sends each backend's requests and reads the emulator's figures."""

import pytest

from tests.emulators import servicetime


@pytest.mark.parametrize("backend", sorted(servicetime.SCENARIOS))
def test_every_phase_is_timed_by_the_emulator(backend, tmp_path):
    figures = servicetime.measure(backend, (60, 120), samples=4, rounds=2,
                                  folder=str(tmp_path))
    assert [row["endpoint"] for row in figures[60]["endpoints"]] == [
        row["endpoint"] for row in figures[120]["endpoints"]]
    figures = figures[120]
    assert {row["kind"] for row in figures["endpoints"]} >= {"read", "write", "create"}
    for row in figures["endpoints"]:
        assert row["median_ms"] > 0 and row["requests"] >= 1, row
        assert ("per_1000_ms" in row) == (row["kind"] == "list")


def test_the_command_line_prints_a_row_per_endpoint(capsys, tmp_path):
    servicetime.main(["ipdr", "--sizes", "50,100", "--samples", "3", "--rounds", "1",
                      "--json", str(tmp_path / "figures.json")])
    printed = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in printed if line.startswith("ipdr ")] == [
        ["ipdr", "read", "GET"], ["ipdr", "write", "PATCH"], ["ipdr", "create", "POST"],
        ["ipdr", "list", "GET"], ["ipdr", "seeded", "in"]]
    assert (tmp_path / "figures.json").exists()
