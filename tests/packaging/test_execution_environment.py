"""An execution environment built as the README and docs/awx.md say holds
the collection and its Python requirements.

No container engine here: ``ansible-builder create`` writes the build
context, and ``ansible-builder introspect`` is the step of the build that
collects the collections' Python requirements (the Containerfile runs the
same script).
"""

import yaml
from packaging.requirements import Requirement

from tests.packaging.user import run


def test_builder_creates_the_context_from_the_installed_collection(collection, tmp_path):
    context = tmp_path / "context"
    run(["ansible-builder", "create", "--output-filename", "Containerfile",
         "--context", str(context)], cwd=collection)
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert [item["name"] for item in galaxy["collections"]] == ["isp.provisioning"]
    assert "introspect" in (context / "Containerfile").read_text()


def requirements(path):
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return sorted(str(Requirement(line)) for line in lines if line)


def test_the_build_installs_every_requirement_of_the_collection(installed, collection, tmp_path):
    found = tmp_path / "requirements.txt"
    run(["ansible-builder", "introspect", "--write-pip", str(found), str(installed)])
    assert requirements(found) == requirements(collection / "requirements.txt")
