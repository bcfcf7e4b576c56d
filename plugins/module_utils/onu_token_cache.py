# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An opt-in cache of ONU tokens, so that a playbook of many tasks waits out ``nbf`` once.

Every new RAISEPON token is useless for ten seconds. With the cache on, a task
reuses the token an earlier task got, until shortly before it expires. The
file holds a secret: it is created readable by its owner only, in a folder
only its owner may enter, and named by a hash of URL, user and password (so a
changed or wrong password never picks up a token it did not earn).
"""

from __future__ import annotations

import hashlib
import json
import os


def cache_directory():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "isp.provisioning")


class TokenCache(object):
    def __init__(self, url, username, password, directory=None):
        self.directory = directory or cache_directory()
        digest = hashlib.sha256("\0".join((url, username, password)).encode("utf-8")).hexdigest()
        self.path = os.path.join(self.directory, "onu-token-%s.json" % digest[:32])

    def load(self, valid_until):
        """The cached token if it stays valid past ``valid_until`` (epoch seconds), else None."""
        try:
            with open(self.path) as handle:
                entry = json.load(handle)
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or float(entry.get("exp", 0)) <= valid_until:
            return None
        return entry.get("jwt")

    def save(self, token, expires):
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        temporary = "%s.%d.tmp" % (self.path, os.getpid())
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump({"jwt": token, "exp": expires}, handle)
        os.replace(temporary, self.path)

    def clear(self):
        try:
            os.remove(self.path)
        except OSError:
            pass
