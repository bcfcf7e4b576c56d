# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Subscriber files read as the subscribers inventory plugin reads them.

One reader for the inventory and the export (which finds the files a
re-export rewrites in place by the ids they hold): the two cannot disagree on
which file holds a subscriber.
"""

from __future__ import annotations

import fnmatch
import json
import os
import pathlib
import re
import traceback

# The inventory plugin's default patterns: the files a repository holds subscribers in.
PATTERNS = ("*.yml", "*.yaml")
_MERGE = "tag:yaml.org,2002:merge"
# The tags of plain scalars resolved so far (see Loader.resolve), at most so many.
_PLAIN_TAGS = {}
_MOST_PLAIN_TAGS = 4096
_LONGEST_CACHED = 64
SHAPES = "expected a subscriber (a mapping with id), a list of them, or {subscribers: [...]}"

try:
    import yaml
except ImportError:  # ansible-core depends on PyYAML: only a module run elsewhere lacks it
    YAML_IMPORT_ERROR = traceback.format_exc()
    yaml = None
    Loader = None
else:
    YAML_IMPORT_ERROR = None
    # The C loader parses thousands of files several times faster than the pure-Python one.
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(_SafeLoader):  # pylint: disable=too-many-ancestors
        """The safe loader, refusing a key given twice in one mapping.

        YAML keeps the last of two equal keys silently: a second ``onu:`` section
        would drop the first without a word.
        """

        def construct_mapping(self, node, deep=False):
            keys = [key for key, _value in node.value] \
                if isinstance(node, yaml.MappingNode) else []
            # With a merge key (<<) overriding a merged key is what the author meant.
            if not any(key.tag == _MERGE for key in keys):
                seen = set()
                for key in keys:
                    if not isinstance(key, yaml.ScalarNode):
                        continue
                    if (key.tag, key.value) in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"found the key {key.value!r} twice in one mapping",
                            key.start_mark)
                    seen.add((key.tag, key.value))
            return super().construct_mapping(node, deep=deep)

        def resolve(self, kind, value, implicit):
            # A plain scalar's tag depends on its text alone (this loader has no path
            # resolvers), and keys and most values recur in every subscriber: each
            # is resolved once, not by a dozen regular expressions per occurrence.
            if kind is not yaml.ScalarNode or not implicit[0] or self.yaml_path_resolvers:
                return super().resolve(kind, value, implicit)
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                # Short texts only: keys and values that recur (a long one is a note).
                if len(value) <= _LONGEST_CACHED and len(_PLAIN_TAGS) < _MOST_PLAIN_TAGS:
                    _PLAIN_TAGS[value] = tag
            return tag

        def construct_document(self, node):
            # PyYAML's constructor walks a node through a dozen Python calls, to allow
            # for anchors, merges, recursion and any tag: half the CPU of reading a
            # subscriber file. A document of plain mappings, lists and scalars is
            # built by one walk; anything else, or anything it is not sure of, is
            # the constructor's (the same node: nothing is parsed twice).
            try:
                return _PlainWalk(self).value(node)
            except Exception:  # pylint: disable=broad-exception-caught  # the constructor says
                return super().construct_document(node)

    class _PlainWalk:
        """A document of maps, sequences, texts, whole numbers, booleans and nulls as
        the safe constructor builds it; anything else raises."""

        def __init__(self, constructor):
            self.scalars = {
                "tag:yaml.org,2002:str": _text,
                "tag:yaml.org,2002:int": constructor.construct_yaml_int,
                "tag:yaml.org,2002:bool": constructor.construct_yaml_bool,
                "tag:yaml.org,2002:null": _null,
            }
            # A collection met twice is an alias: the constructor gives it as one object.
            self.collections = set()

        def value(self, node):
            kind = type(node)
            if kind is yaml.ScalarNode:
                return self.scalars[node.tag](node)
            if id(node) in self.collections:
                raise _NotPlain()
            self.collections.add(id(node))
            if kind is yaml.MappingNode and node.tag == "tag:yaml.org,2002:map":
                mapping = {}
                for key, item in node.value:
                    if not isinstance(key, yaml.ScalarNode):  # unhashable, or a merge's
                        raise _NotPlain()
                    mapping[self.scalars[key.tag](key)] = self.value(item)
                if len(mapping) != len(node.value):
                    raise _NotPlain()  # a key twice: refused, or (yes and true) the last kept
                return mapping
            if kind is yaml.SequenceNode and node.tag == "tag:yaml.org,2002:seq":
                return [self.value(item) for item in node.value]
            raise _NotPlain()


class _NotPlain(Exception):
    """A node the plain walk leaves to PyYAML's constructor."""


def _text(node):
    return node.value


def _null(_node):
    return None


def yaml_problem(error):
    """A YAML error as one line: what was wrong, and where."""
    if isinstance(error, yaml.MarkedYAMLError):
        what = "; ".join(part for part in (error.context, error.problem) if part)
        mark = error.problem_mark or error.context_mark
        if mark is not None:
            what += f" (line {mark.line + 1}, column {mark.column + 1})"
        return what
    text = " ".join(str(error).split())
    if isinstance(error, yaml.reader.ReaderError):
        # The loader reads the file's bytes: it names them "<byte string>", where the
        # problem names the file already.
        text = text.replace(f' in "{error.name}",', " at")
    return text


# What JSON holds that the YAML loader may read otherwise, or refuse: a character
# YAML does not allow in a file (a tab, which PyYAML's own parser refuses outside a
# string, among them; the line breaks YAML knows beyond JSON's: NEL, U+2028 and
# U+2029), space before a key's colon (a key and its colon on two lines are no
# key to YAML), an escaped UTF-16 surrogate (YAML refuses one).
_NOT_AS_YAML = re.compile(r'[^\x0A\x0D\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]'
                          r'|"\s+:|\\u[dD][89a-fA-F]')
# YAML takes a key of at most 1,024 characters (escapes included) for a key: one
# of 150 characters is that long at six characters an escape.
_LONGEST_KEY = 150


class _AsYamlDiffers(Exception):
    """The JSON text holds what the YAML loader reads otherwise, or says more about."""


def _refuse(_text):
    raise _AsYamlDiffers()


def _mapping(pairs):
    # A key twice is the YAML loader's to say, with its line.
    mapping = dict(pairs)
    if len(mapping) != len(pairs) or any(len(key) > _LONGEST_KEY for key in mapping):
        raise _AsYamlDiffers()
    return mapping


def load(content):
    """A file's bytes as :data:`Loader` reads them.

    A file that is JSON (JSON is YAML, in its flow style) is read by json, about
    40 times faster than by LibYAML, whose flow style is four times slower than
    its block style: when the text holds nothing YAML reads otherwise - a number
    with a fraction or an exponent (YAML 1.1 reads 1e5 as text), a key twice
    (refused, with its line), what :data:`_NOT_AS_YAML` finds - else by the
    YAML loader, with its errors.
    """
    if content.lstrip()[:1] in (b"[", b"{"):
        try:
            text = content.decode("utf-8")
            if not _NOT_AS_YAML.search(text):
                return json.loads(text, object_pairs_hook=_mapping, parse_float=_refuse,
                                  parse_constant=_refuse)
        except (_AsYamlDiffers, ValueError, RecursionError):  # not JSON, or not plainly
            pass
    return yaml.load(content, Loader=Loader)


def subscriber_files(root, patterns):
    """Paths relative to ``root`` of the files to read, in sorted order, hidden ones left out."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in files:
            if not name.startswith(".") and any(fnmatch.fnmatch(name, p) for p in patterns):
                found.append(pathlib.PurePath(os.path.relpath(os.path.join(folder, name), root)))
    # Sorted by path parts, so that the order does not depend on the file system's.
    return sorted(found, key=lambda path: path.parts)


def read_file(full_path, relative):
    """(subscribers, their sources, problems) of one file."""
    try:
        with open(full_path, "rb") as handle:
            content = handle.read()
        data = load(content)
    except yaml.YAMLError as error:
        return [], [], [f"{relative}: not valid YAML: {yaml_problem(error)}"]
    except (ValueError, TypeError, RecursionError) as error:
        # What PyYAML's constructor lets out: "0b_" as an int, 5,000 digits, nesting
        # deeper than Python's stack.
        return [], [], [f"{relative}: not valid YAML: {' '.join(str(error).split())}"]
    except OSError as error:
        return [], [], [f"{relative}: cannot be read: {error.strerror or error}"]
    if isinstance(data, dict) and "subscribers" in data and "id" not in data:
        others = sorted(str(key) for key in data if key != "subscribers")
        if others:
            return [], [], [f"{relative}: unknown key{'s' if len(others) > 1 else ''} "
                            f"{', '.join(others)} beside subscribers"]
        data = data["subscribers"]
        if not isinstance(data, list):
            return [], [], [f"{relative}: subscribers must be a list, "
                            f"got {type(data).__name__}"]
    if isinstance(data, dict):
        # No id is validate's to say (with the file's other problems).
        return [data], [relative], []
    if isinstance(data, list):
        return data, [f"{relative}[{index}]" for index in range(len(data))], []
    if data is None:
        return [], [], [f"{relative}: is empty; {SHAPES}"]
    return [], [], [f"{relative}: holds a {type(data).__name__}; {SHAPES}"]
