"""What users get: the license and the emulators, not the collection's own tests."""

import json
import subprocess
import sys
import tarfile

from tests.packaging.user import run, user_environment
from tests.emulators import available
from tests.emulators.ipdr import TOKEN

SHIPPED_TESTS = "tests/emulators/"


def test_the_tarball_holds_the_license_and_of_the_tests_only_the_emulators(tarball):
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert "LICENSE" in names
    assert "tests/emulators/__main__.py" in names
    assert [name for name in names if name.startswith("tests/")
            and not (name + "/").startswith(SHIPPED_TESTS)] == []


def serve(collection, tmp_path, backend, *options):
    """The README's command, in the installed collection's folder: the process and its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.emulators", backend, "--port", "0",
         "--db", str(tmp_path / ("%s.sqlite" % backend))] + list(options),
        cwd=collection, env=user_environment(), stdout=subprocess.PIPE, text=True)
    return process, process.stdout.readline().strip()


def test_every_emulator_runs_from_the_installed_collection(collection, tmp_path):
    for backend in available():
        usage = run([sys.executable, "-m", "tests.emulators", backend, "--help"], cwd=collection)
        assert "--drop-writes" in usage.stdout, backend
        process, url = serve(collection, tmp_path, backend)
        try:
            assert url.startswith("http://127.0.0.1:"), backend
        finally:
            process.terminate()
            process.wait(10)


def test_the_installed_modules_work_against_an_installed_emulator(installed, collection,
                                                                  tmp_path):
    process, url = serve(collection, tmp_path, "ipdr", "--seed-records", "2",
                         "--seed-prefix", "CI")
    try:
        arguments = {"url": url, "username": "user", "api_token": TOKEN, "user_id": "CI-000002"}
        result = run(["ansible", "localhost", "-o", "-m", "isp.provisioning.ipdr_customer_info",
                      "-a", json.dumps(arguments)],
                     cwd=tmp_path, env=user_environment(ANSIBLE_COLLECTIONS_PATH=str(installed)))
    finally:
        process.terminate()
        process.wait(10)
    answer = json.loads(result.stdout.split("=>", 1)[1])
    assert [customer["name"] for customer in answer["customers"]] == ["CI Customer 000002"]


def test_the_awx_credential_types_ship_beside_the_playbook_that_reads_them(collection):
    # playbooks/awx_credential_types.yml reads ../extensions/awx/credential_types.yml.
    assert (collection / "playbooks" / "awx_credential_types.yml").is_file()
    assert (collection / "extensions" / "awx" / "credential_types.yml").is_file()
    assert not (collection / "extensions" / "molecule").exists()
