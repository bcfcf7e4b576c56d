"""Galaxy and Automation Hub accept the built tarball without a warning.

galaxy-importer is what both run on an upload. It checks galaxy.yml's
metadata (name, version, SPDX license, tags, links), that the README and every
role's README exist and render, each plugin's and module's documentation
through ansible-doc, the changelog, meta/runtime.yml's requires_ansible, and
that the dependency files meta/execution-environment.yml names exist. What it
is told to leave out is in galaxy-importer.cfg beside this file.
"""

import json
import os
import subprocess
import sys

from tests.packaging.user import user_environment

CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "galaxy-importer.cfg")


def test_galaxy_importer_accepts_the_tarball(tarball, collection, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "galaxy_importer.main", tarball], cwd=tmp_path,
        env=user_environment(GALAXY_IMPORTER_CONFIG=CONFIG), check=False, capture_output=True, text=True)
    said = [line for line in (result.stdout + result.stderr).splitlines()
            if not line.startswith("Loading ")]
    assert result.returncode == 0, "\n".join(said)
    assert "Importer processing completed successfully" in said
    assert [line for line in said if line.startswith(("WARNING", "ERROR"))] == []

    imported = json.loads((tmp_path / "importer_result.json").read_text())
    roles = {item["name"] for item in imported["contents"] if item["content_type"] == "role"}
    assert roles == set(os.listdir(collection / "roles"))
    modules = {item["name"] for item in imported["contents"] if item["content_type"] == "module"}
    documented = {item["content_name"] for item in imported["docs_blob"]["contents"]
                  if item["content_type"] == "module" and item["doc_strings"]}
    assert modules and documented == modules
