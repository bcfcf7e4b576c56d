# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""What a SIMPLer field declares besides what every backend's does, and the
adapter base of SIMPLer's entities.

SIMPLer answers every field as a string, and an unset one as "" or not at
all: records hold "" for it (so that a task declaring "" finds it unset). An
answer may name a field otherwise than the usual shape does (``read_also``):
CONTRACTS §3 asks a client to accept every plausible shape.
"""

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.module_utils.backend import EntityBackend
from ansible_collections.isp.provisioning.plugins.module_utils.entity import Field
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.client import (
    client_from_module,
)
from ansible_collections.isp.provisioning.plugins.module_utils.values import blank_as_empty, text


class SimplerField(Field):
    """A field of a SIMPLer entity (see ``entity.Field``), read as text with "" for
    unset unless ``decode`` says otherwise, and:

    * ``numbered``: addCustomer does not refuse a value another record holds, it
      stores it with a serial number appended (CONTRACTS §3).
    """

    def __init__(self, name, type="str", *, numbered=False, decode=blank_as_empty,
                 **declared):
        super().__init__(name, type, decode=decode, **declared)
        self.numbered = numbered


class SimplerBackend(EntityBackend):
    """Base of the SIMPLer adapters: their client, what a new record reads as, and
    identities as the server stores them."""

    client_factory = staticmethod(client_from_module)

    def canonical_key(self, key):
        # An identity without the spaces around it, as SIMPLer stores equipment's
        # (and, sent trimmed, customers'): a declared " ont-1 " is the stored
        # "ont-1", never a second record, and a purge never takes one for the other.
        return text(key)

    def prepare(self, desired):
        """The identity is written, searched and compared as the server stores it."""
        if desired.get(self.spec.identity) is not None:
            desired[self.spec.identity] = self.canonical_key(desired[self.spec.identity])
        return desired

    def defaults_on_create(self):
        # A new record is what an empty answer reads as: SIMPLer reports unset fields as "".
        return self.from_wire({})
