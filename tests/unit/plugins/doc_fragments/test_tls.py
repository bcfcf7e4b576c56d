"""Every option that falls back to an environment variable names that variable in
the documentation ansible-doc shows (the backends' fragments, built on tls.py)."""

import json
import os
import subprocess
import sys

import pytest
import yaml

from tests.unit.probes import (
    COLLECTION,
    environment_variables,
    module_argument_spec,
    backend_module_names,
)

MODULES = backend_module_names()


@pytest.fixture(scope="module")
def shown():
    """Each module's documentation as ansible-doc gives it, fragments merged."""
    ansible_doc = os.path.join(os.path.dirname(sys.executable), "ansible-doc")
    listed = subprocess.run(
        [ansible_doc, "--json"] + ["isp.provisioning." + name for name in MODULES],
        check=True, capture_output=True, text=True).stdout
    return {name.split(".")[-1]: entry["doc"] for name, entry in json.loads(listed).items()}


@pytest.mark.parametrize("name", MODULES)
def test_each_option_names_the_variable_it_falls_back_to(name, shown):
    options = shown[name]["options"]
    variables = environment_variables(module_argument_spec(name))
    assert {"url", "timeout", "validate_certs", "ca_path", "concurrency"} <= set(variables)
    for option, variable in variables.items():
        described = " ".join(options[option]["description"])
        assert f"environment variable E({variable}) is used" in described, option
    assert "<BACKEND>" not in json.dumps(shown[name])


def test_a_backend_keeps_its_own_notes_and_requirements_beside_the_shared_ones(shown):
    simpler = shown["simpler_customer"]
    assert simpler["requirements"] == ["zeep (only for O(transport=soap))", "requests"]
    assert any("Retry-After" in note for note in simpler["notes"])


def test_the_docs_site_links_every_variable_a_module_reads():
    # docs/docsite/config.yml's envvar_directives make E(ISP_...) a link to the
    # variable's entry in the site's index (tasks.py docs writes the entries).
    read = set()
    for name in MODULES:
        read |= set(environment_variables(module_argument_spec(name)).values())
    with open(os.path.join(COLLECTION, "docs", "docsite", "config.yml")) as handle:
        listed = yaml.safe_load(handle)["envvar_directives"]
    assert listed == sorted(read)
