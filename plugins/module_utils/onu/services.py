# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""ONU services (the profiles a customer is given): read only.

Record shape: ``{id, name}``; the server may answer ``id`` as a number (PHP 8.1+).
"""

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.module_utils.backend import EntityBackend
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.onu.client import client_from_module
from ansible_collections.isp.provisioning.plugins.module_utils.values import as_text

SERVICE = EntitySpec(
    name="service",
    plural="services",
    identity="id",
    label="ONU service",
    fields=[Field("id", normalise=as_text, lookup=True), Field("name", lookup=True)],
)


class OnuServices(EntityBackend):
    spec = SERVICE
    client_factory = staticmethod(client_from_module)

    def read_all(self):
        return [self.from_wire(service) for service in self.client.services()]
