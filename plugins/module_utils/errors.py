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


# Statuses that refuse the credentials, not the record: no later call can succeed.
AUTH_STATUSES = frozenset((401, 403))


class BackendError(ProvisioningError):
    """A request failed: most often the backend answered and refused it.

    ``status`` is the HTTP status (None for transports without one) and
    ``body`` the parsed answer, when there was one; ``message`` is what the
    backend said, as text.

    A plain BackendError refuses one record: the engine goes on with the
    others. :class:`BackendUnavailable` says that no request can succeed.
    """

    def __init__(self, message, status=None, body=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body


class BackendUnavailable(BackendError):
    """The backend cannot be used at all: it cannot be reached, gave no answer
    after every safe retry, failed TLS, or refused the credentials.

    Every later write would fail the same way, so the engine stops that
    backend at once instead of trying each remaining record.
    """


class LostTwice(BackendError):
    """A write whose answer was lost, sent again once after a read-back, whose
    second answer was lost too, and which a second read-back shows not made as
    declared: it is not sent a third time, and refuses this record.

    ``found`` is the record the writes made all the same (a create that exists
    now, not yet as declared), which the record is reported changed to; None
    when nothing is known to have changed.
    """

    def __init__(self, message, found=None):
        super().__init__(message)
        self.found = found


def refusal(message, status=None, body=None, credentials=False):
    """The error for a backend's "no": BackendUnavailable when it refuses the
    credentials (``credentials``, the backend's own test, or HTTP 401/403),
    else a BackendError that refuses only this record."""
    unusable = credentials or status in AUTH_STATUSES
    return (BackendUnavailable if unusable else BackendError)(message, status, body)


def stops_backend(error):
    """True when ``error``, or one it was raised while handling, is BackendUnavailable.

    Adapters add context by raising a new error from inside an ``except``
    block (UserSide's undo of a half-made add): the backend being down must
    not turn into one record's refusal on the way.
    """
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, BackendUnavailable):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


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
