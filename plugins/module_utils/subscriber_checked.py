# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""The subscriber texts this process's inventory has already checked.

The inventory plugin checks the whole repository - every record and across
records - and gives each shard host its subscribers as one JSON text; the
role's fan-out (filter ``subscriber_records``) checked each shard's text
again, a fifth of the controller's work before the first backend task at
200,000 subscribers. The plugin vouches here for each text it made (by its
SHA-256 digest), and the fan-out checks only a text nobody here vouched for:
one a play gives, or one read by another process (AWX imports the inventory
in one process and runs the job in another). Ansible's forks are forked
after the inventory is parsed, so each one knows what the controller's
inventory vouched for; a text changed by one character is checked again.
"""

from __future__ import annotations

import hashlib

_VOUCHED = set()


def _digest(text):
    return hashlib.sha256(str.__str__(text).encode("utf-8")).digest()


def vouch(text):
    """``text`` (the JSON text of checked subscribers), remembered as checked."""
    _VOUCHED.add(_digest(text))
    return text


def vouched(text):
    """Whether the inventory of this process made this very text of checked subscribers."""
    return _digest(text) in _VOUCHED
