"""The AWX credential types (extensions/awx/credential_types.yml) against the modules:
one type per backend, injecting every variable that backend's modules read, its
secrets as secret inputs, and an empty input as nothing."""

import os

import pytest
import yaml

from tests.tools.awx_injectors import backend_of, credential_types, injected_environment
from tests.unit.probes import COLLECTION, environment_variables, module_argument_spec

with open(os.path.join(COLLECTION, "meta", "runtime.yml")) as _runtime:
    GROUPS = {name: modules for name, modules in
              yaml.safe_load(_runtime)["action_groups"].items() if name != "all"}
TYPES = {backend_of(credential_type): credential_type for credential_type in credential_types()}


def read_options(backend):
    """Variable -> the option of ``backend``'s modules that reads it (and its spec)."""
    read = {}
    for module in GROUPS[backend]:
        spec = module_argument_spec(module)
        for option, variable in environment_variables(spec).items():
            read[variable] = spec[option]
    return read


def input_of(template):
    """The input an env injector renders: ``url`` for ``{{ url }}``."""
    if "tower.filename" in template:
        return "ca_cert"
    return template.strip("{} ")


def fields(backend):
    return {field["id"]: field for field in TYPES[backend]["inputs"]["fields"]}


def test_one_type_per_backend():
    assert sorted(TYPES) == sorted(GROUPS)
    assert all(t["kind"] == "cloud" for t in TYPES.values())


@pytest.mark.parametrize("backend", sorted(GROUPS))
def test_the_injectors_set_every_variable_the_modules_read(backend):
    assert sorted(TYPES[backend]["injectors"]["env"]) == sorted(read_options(backend))


@pytest.mark.parametrize("backend", sorted(GROUPS))
def test_secrets_are_secret_inputs_and_required_options_required_inputs(backend):
    read = read_options(backend)
    injectors = TYPES[backend]["injectors"]["env"]
    secret = {input_of(injectors[v]) for v, option in read.items() if option.get("no_log")}
    required = {input_of(injectors[v]) for v, option in read.items() if option.get("required")}
    assert secret, "every backend has a password, key or token"
    assert {i for i, field in fields(backend).items() if field.get("secret")} == secret
    assert set(TYPES[backend]["inputs"]["required"]) == required
    # Every input feeds an injector.
    assert {input_of(t) for t in injectors.values()} == set(fields(backend))


@pytest.mark.parametrize("backend", sorted(GROUPS))
def test_no_input_is_a_boolean_whose_unset_false_would_override_a_default(backend):
    # AWX gives an unset boolean input as False: validate_certs false unasked.
    assert all(field["type"] == "string" for field in fields(backend).values())


def test_an_empty_input_injects_nothing_and_a_ca_becomes_a_file(tmp_path):
    onu = TYPES["onu"]
    given = dict(url="https://onu.example.net/API/", username="u", password="p", timeout="")
    without = injected_environment(onu, given, tmp_path)
    assert without["ISP_ONU_URL"] == "https://onu.example.net/API/"
    assert without["ISP_ONU_TIMEOUT"] == without["ISP_ONU_CA_PATH"] == ""
    assert without["ISP_ONU_VALIDATE_CERTS"] == ""
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    with_ca = injected_environment(onu, dict(given, ca_cert=pem), tmp_path)
    with open(with_ca["ISP_ONU_CA_PATH"]) as written:
        assert written.read() == pem


def test_the_walkthrough_lists_each_type_by_its_name_and_required_inputs():
    with open(os.path.join(COLLECTION, "docs", "awx.md")) as handle:
        rows = [line.split("|")[1:-1] for line in handle
                if line.startswith("| isp.provisioning ")]
    listed = {cells[0].strip(): cells[2].strip() for cells in rows}
    labels = {t["name"]: ", ".join(field["label"] for field in t["inputs"]["fields"]
                                   if field["id"] in t["inputs"]["required"])
              for t in TYPES.values()}
    assert listed == labels
