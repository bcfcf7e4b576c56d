# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The UserSide customer modules' runners.

* the entity module takes its identity from an option (``identity``), so its
  entity spec is chosen before the argument spec is built;
* the info module cannot read "every customer" (UserSide needs a condition),
  so it finds customers by id, by the keys ``get_abon_id`` knows, or by
  ``get_customers_id`` conditions, then narrows them by ``filters``.
"""

from __future__ import annotations

from ansible.module_utils.basic import _load_params

from ansible_collections.isp.provisioning.plugins.module_utils.errors import BackendError
from ansible_collections.isp.provisioning.plugins.module_utils.runner import (
    EntityModule,
    InfoModule,
)
from ansible_collections.isp.provisioning.plugins.module_utils.userside.client import connection_spec
from ansible_collections.isp.provisioning.plugins.module_utils.userside.customers import (
    IDENTITIES,
    UsersideCustomers,
)

# info option -> get_abon_id's data_typer
LOOKUPS = {
    "login": "login",
    "agreement_number": "dognumber",
    "account_number": "account",
    "email": "mail",
    "phone": "phone",
    "ip": "ip",
    "mac": "mac",
    "billing_uid": "codeti",
}
IDENTITY_OPTION = dict(
    identity=dict(type="str", choices=sorted(IDENTITIES), default="login")
)


class CustomerModule(EntityModule):
    def __init__(self):
        super().__init__(UsersideCustomers, connection_spec(), IDENTITY_OPTION)

    def run(self):
        # The identity decides which option is required: read it before validation
        # (a wrong value is then refused by the argument spec's choices).
        # (None where no arguments are loaded at all, as in documentation tooling)
        identity = (_load_params() or {}).get("identity") or "login"
        if identity in IDENTITIES:
            self.backend_class = UsersideCustomers.with_identity(identity)
            self.spec = self.backend_class.spec
        super().run()


class CustomerInfoModule(InfoModule):
    required_one_of = [["id", "conditions"] + sorted(LOOKUPS)]

    def __init__(self):
        super().__init__(UsersideCustomers, connection_spec(), lookups=sorted(LOOKUPS))

    def argument_spec(self):
        spec = super().argument_spec()
        spec.update(id=dict(type="int"), conditions=dict(type="dict"))
        return spec

    def records(self, backend, params):
        return self.find(backend, params)

    @staticmethod
    def find(backend, params):
        client = backend.client
        found = None
        sources = [[params["id"]]] if params["id"] else []
        for name, typer in sorted(LOOKUPS.items()):
            if params[name] is not None:
                sources.append(client.abon_ids(typer, params[name]))
        if params["conditions"]:
            sources.append(client.customer_ids(params["conditions"]))
        for ids in sources:
            found = set(ids) if found is None else found & set(ids)
        records = []
        for customer_id in sorted(found or ()):
            try:
                record = backend.read_id(customer_id)
            except BackendError as exc:
                if exc.status == 404:
                    continue
                raise
            if backend.matches_scope(record, params["filters"]):
                records.append(record)
        return records
