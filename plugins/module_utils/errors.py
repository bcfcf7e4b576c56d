# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""The exceptions that cross layers: client -> engine -> module.

Every message is one sentence a person can act on and never carries a
secret: the HTTP layer redacts before it raises.
"""

from __future__ import annotations


class ProvisioningError(Exception):
    """Base of every error this collection raises on purpose."""


class BackendError(ProvisioningError):
    """The backend answered, and the answer is a refusal or an error.

    ``status`` is the HTTP status (None for transports without one) and
    ``body`` the parsed answer, when there was one; ``message`` is what the
    backend said, as text.
    """

    def __init__(self, message, status=None, body=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body


class AnswerLost(ProvisioningError):
    """A request was sent but its answer never arrived.

    The backend may or may not have acted on it. Whoever sent a write must
    read back to find out; it must never send the write again blindly.

    ``timed_out`` is True when the answer did not come in time: the server may
    still be working on the write, so a read-back that does not find it yet
    proves nothing, and the write must not be sent again.
    """

    def __init__(self, message, timed_out=False):
        super().__init__(message)
        self.timed_out = timed_out


class ValidationError(ProvisioningError):
    """A declared record cannot be written as it stands (found before any write)."""
