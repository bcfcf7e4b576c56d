"""A credential's environment as AWX injects it, from the collection's credential types.

AWX renders each env injector of a credential type with Jinja (an immutable
sandbox) over the credential's inputs, after these rules, which the rendering
here copies (awx/main/models/credential: CredentialType.inject_credential):

* an input left empty is not in the namespace (it renders as "");
* a boolean input left unset is False;
* each file injector is rendered into a file of the job's private data
  directory, which ``tower.filename`` names (``tower.filename.<name>`` for
  ``template.<name>``).

    python tests/tools/awx_injectors.py BACKEND INPUTS_JSON FOLDER -- COMMAND...

runs COMMAND with this process's environment, less every ISP_* variable, plus
the variables BACKEND's credential type injects for INPUTS_JSON.
"""

import json
import os
import subprocess
import sys
import tempfile
from types import SimpleNamespace

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

TYPES_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "extensions", "awx", "credential_types.yml")


class _Loader(yaml.SafeLoader):
    """YAML as Ansible reads it, where !unsafe only marks text Ansible must not render."""


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def credential_types(path=TYPES_FILE):
    with open(path) as handle:
        return yaml.load(handle, Loader=_Loader)["controller_credential_types"]


def backend_of(credential_type):
    """``onu`` for the type whose injectors set ISP_ONU_*."""
    prefixes = {name.split("_")[1] for name in credential_type["injectors"]["env"]}
    assert len(prefixes) == 1, f"{credential_type['name']} sets {sorted(prefixes)}"
    return prefixes.pop().lower()


def credential_type_of(backend, path=TYPES_FILE):
    return next(t for t in credential_types(path) if backend_of(t) == backend)


def injected_environment(credential_type, inputs, folder):
    """The variables AWX sets for a credential of ``credential_type`` holding ``inputs``."""
    namespace = {key: value for key, value in inputs.items()
                 if isinstance(value, bool) or value}
    for field in credential_type["inputs"]["fields"]:
        if field["type"] == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = False
    sandbox = ImmutableSandboxedEnvironment()
    injectors = credential_type["injectors"]
    unnamed, named = None, {}
    for label, template in injectors.get("file", {}).items():
        handle, path = tempfile.mkstemp(dir=folder)
        with os.fdopen(handle, "w") as written:
            written.write(sandbox.from_string(template).render(**namespace))
        if "." in label:
            named[label.split(".", 1)[1]] = path
        else:
            unnamed = path
    namespace["tower"] = SimpleNamespace(filename=unnamed or SimpleNamespace(**named))
    return {variable: sandbox.from_string(template).render(**namespace)
            for variable, template in injectors.get("env", {}).items()}


def main(argv):
    backend, inputs, folder = argv[1:4]
    command = argv[argv.index("--") + 1:]
    injected = injected_environment(credential_type_of(backend), json.loads(inputs), folder)
    env = {key: value for key, value in os.environ.items() if not key.startswith("ISP_")}
    env.update(injected)
    return subprocess.run(command, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
