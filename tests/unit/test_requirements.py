"""requirements.txt names every third-party package plugins/ imports, each with a range.

What ansible-core itself requires (PyYAML, Jinja2, ...) is there wherever the
collection runs, so it is not repeated; anything else plugins/ imports, even
lazily inside a function, must be listed, and nothing else may be.
"""

import ast
import pathlib
import sys
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = pathlib.Path(__file__).resolve().parents[2]
OURS = {"ansible", "ansible_collections"}


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


def listed_requirements():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


def third_party_distributions():
    distributions = metadata.packages_distributions()
    found = {}
    for module in imported_modules(ROOT / "plugins") - OURS - set(sys.stdlib_module_names):
        assert module in distributions, "%s is imported by plugins/ but not installed" % module
        for name in distributions[module]:
            found[canonicalize_name(name)] = module
    return found


def test_every_third_party_import_is_a_requirement():
    needed = {name for name in third_party_distributions() if name not in ansible_core_provides()}
    listed = {canonicalize_name(requirement.name) for requirement in listed_requirements()}
    assert sorted(needed - listed) == [], "imported by plugins/, missing from requirements.txt"
    assert sorted(listed - needed) == [], "in requirements.txt, imported nowhere in plugins/"


def test_every_requirement_has_a_range():
    for requirement in listed_requirements():
        operators = {spec.operator for spec in requirement.specifier}
        assert operators & {">=", ">"} and operators & {"<", "<="}, (
            "%s needs a lower and an upper bound" % requirement)
