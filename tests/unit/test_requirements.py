"""Each requirements file users install names every third-party package its code imports.

requirements.txt is what plugins/ needs: what ansible-core itself requires
(PyYAML, Jinja2, ...) is there wherever the collection runs, so it is not
repeated; anything else plugins/ imports, even lazily inside a function, must
be listed with a range, and nothing else may be. tests/emulators/requirements.txt
is what the emulators need besides (they ship for users' CI): its own lines
and the files its ``-r`` lines include must cover their imports.
"""

import ast
import pathlib
import sys
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = pathlib.Path(__file__).resolve().parents[2]
OURS = {"ansible", "ansible_collections", "tests"}


def imported_modules(folder):
    """Top-level names of the absolute imports in every Python file under ``folder``."""
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


def ansible_core_provides():
    requires = metadata.requires("ansible-core") or []
    return {canonicalize_name("ansible-core")} | {
        canonicalize_name(Requirement(line).name) for line in requires
        if Requirement(line).marker is None}


def third_party_distributions(folder):
    """The distributions that the code under ``folder`` imports, less ansible-core's own."""
    distributions = metadata.packages_distributions()
    found = set()
    for module in imported_modules(folder) - OURS - set(sys.stdlib_module_names):
        assert module in distributions, "%s is imported but not installed" % module
        found.update(canonicalize_name(name) for name in distributions[module])
    return found - ansible_core_provides()


def requirements(path):
    """(this file's own requirements, those of the files its ``-r`` lines include)."""
    own, included = [], []
    for line in (line.split("#")[0].strip() for line in path.read_text().splitlines()):
        if line.startswith("-r "):
            included += sum(requirements(path.parent / line[3:].strip()), [])
        elif line:
            own.append(Requirement(line))
    return own, included


def names(listed):
    return {canonicalize_name(requirement.name) for requirement in listed}


@pytest.mark.parametrize("code, requirements_file", [
    ("plugins", "requirements.txt"),
    ("tests/emulators", "tests/emulators/requirements.txt"),
])
def test_every_third_party_import_is_a_requirement(code, requirements_file):
    needed = third_party_distributions(ROOT / code)
    own, included = requirements(ROOT / requirements_file)
    assert sorted(needed - names(own + included)) == [], "imported, not in " + requirements_file
    assert sorted(names(own) - needed) == [], "in %s, imported nowhere in %s" % (
        requirements_file, code)


def test_every_runtime_requirement_has_a_range():
    for requirement in requirements(ROOT / "requirements.txt")[0]:
        operators = {spec.operator for spec in requirement.specifier}
        assert operators & {">=", ">"} and operators & {"<", "<="}, (
            "%s needs a lower and an upper bound" % requirement)
