"""Each backend declares a field once: no table in its code lists fields again.

A table (a tuple, list, set or dict literal) that names a field option beside
its ``Field`` declaration is a second place to keep in step: what it said
belongs on the Field, where the adapter base and the runner derive it from.
"""

import ast
import importlib
import pathlib

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec

PACKAGE = "ansible_collections.isp.provisioning.plugins.module_utils"
MODULE_UTILS = pathlib.Path(importlib.import_module(PACKAGE).__path__[0])
BACKENDS = sorted(p.name for p in MODULE_UTILS.iterdir() if (p / "client.py").exists())
# Files about the wire alone: their names are the vendor's, whatever fields are called.
WIRE_FILES = {"client.py", "soap.py", "wsdl.py", "token_cache.py", "__init__.py"}


def specs_of(backend):
    specs = []
    for path in sorted((MODULE_UTILS / backend).glob("*.py")):
        module = importlib.import_module(f"{PACKAGE}.{backend}.{path.stem}")
        for value in vars(module).values():
            spec = getattr(value, "spec", value)
            if isinstance(spec, EntitySpec) and spec not in specs:
                specs.append(spec)
    return specs


# A Field's own names on the wire: the vendor's, even where one equals an option's.
WIRE_KEYWORDS = {"wire", "read", "write", "read_also"}


def tables(tree):
    """(line, strings) of every collection literal (and ``dict(name=...)``) in a module."""
    wire_names = {
        id(keyword.value)
        for node in ast.walk(tree) if isinstance(node, ast.Call)
        for keyword in node.keywords if keyword.arg in WIRE_KEYWORDS
    }
    for node in ast.walk(tree):
        if id(node) in wire_names:
            continue
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = node.elts
        elif isinstance(node, ast.Dict):
            items = [key for key in node.keys if key is not None]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "dict":
            items = [ast.Constant(keyword.arg) for keyword in node.keywords if keyword.arg]
        else:
            continue
        strings = [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]
        if strings:
            yield node.lineno, strings


def test_every_backend_has_a_folder_and_a_spec():
    assert set(BACKENDS) >= {"crm", "ipdr", "onu", "simpler", "userside"}
    for backend in BACKENDS:
        assert specs_of(backend), backend


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_table_lists_a_field_beside_its_declaration(backend):
    names = {field.name for spec in specs_of(backend) for field in spec.fields}
    found = []
    for path in sorted((MODULE_UTILS / backend).glob("*.py")):
        if path.name in WIRE_FILES:
            continue
        for line, strings in tables(ast.parse(path.read_text())):
            listed = sorted(set(strings) & names)
            if listed:
                found.append(f"{path.name}:{line} lists {', '.join(listed)}")
    assert found == []
