"""Every version_added names a version of the collection that is, or was, released:
none later than the one galaxy.yml is about to release (ansible-doc and the docs
site would tell users to upgrade to a version that does not exist)."""

import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
VERSION_ADDED = re.compile(r"^\s*version_added:\s*['\"]?([0-9][^'\"\s]*)", re.MULTILINE)


def as_tuple(version):
    return tuple(int(part) for part in version.split("."))


def test_nothing_is_added_in_a_version_after_the_collections():
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))["version"]
    later = [f"{path.relative_to(ROOT)}: {found}"
             for folder in ("plugins", "roles", "meta")
             for path in sorted((ROOT / folder).rglob("*")) if path.suffix in (".py", ".yml")
             for found in VERSION_ADDED.findall(path.read_text(encoding="utf-8"))
             if as_tuple(found) > as_tuple(version)]
    assert later == [], f"galaxy.yml says {version}"
