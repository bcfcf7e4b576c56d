# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""An opt-in cache of ONU tokens, so that a playbook of many tasks waits out ``nbf`` once.

Every new RAISEPON token is useless for ten seconds. With the cache on, a task
reuses the token an earlier task got, until shortly before it expires.

The file holds a secret, so: its folder must belong to the user and be closed
to everyone else (the cache is not used otherwise); the file is written under a
random name readable by its owner only, then renamed into place; it is named by
URL and user, and holds an HMAC of the password, so that a changed or wrong
password never picks up a token it did not earn. The cache is best-effort: a
problem with it is reported as a warning, never as a failed task.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import tempfile


def cache_directory():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "isp.provisioning")


class TokenCache:
    def __init__(self, url, username, password, directory=None):
        self.directory = directory or cache_directory()
        name = hashlib.sha256("\0".join((url, username)).encode("utf-8")).hexdigest()
        self.path = os.path.join(self.directory, f"onu-token-{name[:32]}.json")
        self.proof = hmac.new(password.encode("utf-8"), name.encode("ascii"),
                              hashlib.sha256).hexdigest()

    def private_directory(self):
        """Create the folder if need be; None when it is safe, else what is wrong."""
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            info = os.stat(self.directory)
        except OSError as exc:
            return f"cannot create {self.directory}: {exc.strerror}"
        if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077:
            return f"{self.directory} must belong to you and be closed to others (chmod 700)"
        return None

    def load(self, valid_until):
        """The cached token if it stays valid past ``valid_until`` (epoch seconds), else None."""
        if self.private_directory():
            return None
        try:
            with open(self.path) as handle:
                entry = json.load(handle)
            expires = float(entry["exp"])
            proof = entry["proof"]
        except (OSError, ValueError, TypeError, KeyError):
            return None
        if expires <= valid_until or not hmac.compare_digest(str(proof), self.proof):
            return None
        return entry.get("jwt")

    def save(self, token, expires):
        """Store the token; returns None, or why it could not be stored."""
        problem = self.private_directory()
        if problem:
            return problem
        try:
            descriptor, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(descriptor, "w") as handle:  # mkstemp: mode 0600, O_EXCL
                json.dump({"jwt": token, "exp": expires, "proof": self.proof}, handle)
            os.replace(temporary, self.path)
        except OSError as exc:
            return f"cannot write {self.path}: {exc.strerror}"
        return None

    def clear(self):
        try:
            os.remove(self.path)
        except OSError:
            pass
