# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Keep secrets out of every text this collection builds.

Ansible masks ``no_log`` option values in a module's output, but not values a
module learns at run time (a JWT) nor secrets that a library echoes back in an
exception (a URL with ``key=`` in its query string). Every message the HTTP
layer builds goes through a :class:`Redactor` first.
"""

from __future__ import annotations

import re

MASK = "********"

# Secrets that travel in a URL query string or a form body under these names.
_SECRET_PARAM = re.compile(
    r"(?i)\b(key|api_key|apikey|api_token|api_password|password|jwt|token)=([^&\s'\"]+)"
)
# A JSON Web Token looks like this wherever it appears.
_JWT_SHAPE = re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]*")


class Redactor:
    """Replaces known secret values, and secret-shaped text, with a mask."""

    def __init__(self, *secrets):
        self._secrets = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret):
        """Remember a secret learnt at run time (a password, a token)."""
        if secret is not None and len(str(secret)) >= 3:
            self._secrets.add(str(secret))

    def __call__(self, text):
        text = str(text)
        # Longest first, so that a secret containing another is masked whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        text = _SECRET_PARAM.sub(lambda m: "%s=%s" % (m.group(1), MASK), text)
        return _JWT_SHAPE.sub(MASK, text)
