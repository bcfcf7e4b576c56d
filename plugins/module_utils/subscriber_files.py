# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""The exported subscribers as files: one ``<id>.yml`` per subscriber, and the review.

Every byte is a function of the records alone (keys in a fixed order, no
dates, no counts of time), so that a second export of the same backends
writes the same bytes and a re-export diffs cleanly in Git. A file is written
only when its bytes change, through a temporary file renamed over it.
"""

from __future__ import annotations

import os
import re
import tempfile

from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_yaml import (
    PATTERNS,
    read_file,
    subscriber_files,
    yaml,
)

# PyYAML, imported where the files are read; without it the module says so
# (subscriber_yaml.YAML_IMPORT_ERROR) before it dumps anything.
SafeDumper = object if yaml is None else yaml.SafeDumper

# The files the inventory plugin reads; a name it would skip (hidden) or that is no
# plain file name cannot hold a subscriber.
PLAIN_NAME = re.compile(r"[^./\\\x00][^/\\\x00]*")
REVIEW_HEADER = """\
# Records of the backends that the export (isp.provisioning.export) could not
# make part of a subscriber file, by backend section, each with the reason:
#   unmatched - no subscriber matches it by the join rules
#   ambiguous - it matches two subscribers, or a subscriber has two such records
#   conflict  - its subscriber cannot express it (a state, or a field the
#               fan-out would set that the record does not hold)
#   invalid   - its subscriber fails the repository's checks
#   left_out  - one value of it is not in its subscriber's file: the entity
#               module would refuse it (the converge leaves it on the backend)
# Nothing here is written to any backend. Fix the records (or the join rules)
# and export again, or add them to subscriber files by hand.
"""


class _Dumper(SafeDumper):  # pylint: disable=too-many-ancestors
    """Block style, list items indented under their key (as yamllint likes them)."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def render(data, header=""):
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                              allow_unicode=True, explicit_start=True, width=4096)


def file_name(subscriber_id):
    """The subscriber's file name; None when the id cannot be one."""
    return f"{subscriber_id}.yml" if PLAIN_NAME.fullmatch(subscriber_id) else None


def review_document(review, summary):
    return render({"summary": summary, "review": review}, REVIEW_HEADER)


class Repository:
    """The folder of subscriber files and the review file, planned, then written."""

    def __init__(self, path, review_file):
        self.path = os.path.abspath(path)
        self.review_file = os.path.abspath(review_file)
        if self.review_file.startswith(self.path + os.sep):
            raise ValueError(f"review_file {review_file} is inside {path}, where the "
                             "subscribers inventory would read it as subscribers")

    def plan(self, subscribers, review_text):
        """({file path: new text} of every file whose bytes change, the subscriber
        files there that this export does not write (stale), the subscribers it
        does not write because a file of many holds them ("<id>: <file>[<index>]")).

        A subscriber is rewritten in the file of its own that holds it, wherever
        the user moved it (the folders are theirs: gitops.md); a new one goes to
        ``<id>.yml`` at the top. One held in a list of many is left to the user:
        writing it apart would declare it twice."""
        alone, listed, files = self.held()
        wanted, in_lists = {}, []
        for subscriber in subscribers:
            key = str(subscriber["id"])
            if key in listed:
                in_lists.append(f"{key}: {listed[key]}")
                continue
            wanted[alone.get(key) or os.path.join(self.path, file_name(key))] = render(subscriber)
        written = set(wanted) | {path for path, ids in files.items()
                                 if ids & {str(s["id"]) for s in subscribers}}
        wanted[self.review_file] = review_text
        changes = {path: text for path, text in wanted.items() if _read(path) != text}
        stale = sorted(os.path.relpath(path, self.path) for path in files if path not in written)
        return changes, stale, in_lists

    def held(self):
        """The files there, read as the subscribers inventory reads them: ({id: the
        file holding it alone}, {id: "<file>[<index>]" of a list holding it},
        {file: the ids it holds})."""
        alone, listed, files = {}, {}, {}
        for relative in subscriber_files(self.path, PATTERNS):
            path = os.path.join(self.path, relative)
            found, sources, _problems = read_file(path, relative.as_posix())
            ids = [str(record["id"]) for record in found
                   if isinstance(record, dict) and record.get("id") is not None]
            files[path] = set(ids)
            for key, source in zip(ids, sources):
                if source.endswith("]"):
                    listed.setdefault(key, source)
                else:
                    alone.setdefault(key, path)
        return alone, listed, files

    def write(self, changes):
        for path, text in sorted(changes.items()):
            folder = os.path.dirname(path)
            os.makedirs(folder, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".export-")
            try:
                with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                    out.write(text)
                os.chmod(temporary, 0o644)
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise

    def diff(self, changes):
        """The module's diff: each changed file before and after."""
        return [{"before_header": path, "after_header": path,
                 "before": _read(path) or "", "after": text}
                for path, text in sorted(changes.items())]


def _read(path):
    try:
        with open(path, encoding="utf-8", newline="") as found:
            return found.read()
    except FileNotFoundError:
        return None
