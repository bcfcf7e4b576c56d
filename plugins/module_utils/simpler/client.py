# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Wire client of the Azotel SIMPLer operator API (seed 002, CONTRACTS §3).

Two transports over the same functions, chosen by the ``transport`` option:

* ``rest`` (default): ``POST <url>/<rest_path>/API/<function>`` with a JSON
  body; the answer is ``{"ip": ..., "result": ...}``;
* ``soap``: ``POST <url>/<soap_path>`` through zeep (see ``soap``).

Every call carries the credentials. Results are strings (``OK``, ``OK: 12``,
``OK:12``, ``OK :[12]`` or an error message, whatever the HTTP status) or, for
the query functions, structures whose shapes vary: every plausible shape is
accepted. Writes are never repeated after a lost answer (an addCustomer sent
twice makes two customers): the caller reads back.
"""

from __future__ import annotations

import re

from ansible.module_utils.six.moves.urllib.parse import urlsplit

from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    BackendError,
    refusal,
)
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import (
    connection_argument_spec,
    find_json,
    session_from_params,
)

ENV = "ISP_SIMPLER_"

# A hosted, shared server (SOAP::Lite CGI): a few requests at a time.
CONCURRENCY = 4
OK = re.compile(r"^\s*OK\b\s*(?::\s*\[?\s*(\d+)\s*\]?)?", re.IGNORECASE)
PAGE = 500
# The server checks the caller before any function (seed 002): "ERROR: invalid
# username/password" (the seed), "authentication failed", the IP access list, the
# operator database. Any of them refuses every call of the task.
BAD_CREDENTIALS = re.compile(
    r"^\s*ERROR\s*:\s*(invalid username|authentication failed|access denied"
    r"|unknown operator)",
    re.IGNORECASE,
)


def connection_spec():
    return connection_argument_spec(
        ENV,
        url=dict(required=True),
        api_username=dict(required=True),
        api_password=dict(required=True, no_log=True),
        operator=dict(),
        transport=dict(choices=["rest", "soap"], default="rest"),
        rest_path=dict(default="restapi"),
        soap_path=dict(default="API/operatorapi.pl"),
        soap_namespace=dict(),
    )


def client_from_module(module):
    params = module.params
    http = session_from_params(params, params["api_password"], CONCURRENCY)
    return SimplerClient(
        http,
        params["api_username"],
        params["api_password"],
        operator=params["operator"],
        transport=params["transport"],
        rest_path=params["rest_path"],
        soap_path=params["soap_path"],
        soap_namespace=params["soap_namespace"],
    )


def default_namespace(url):
    """SOAP::Lite's ``uri``: ``http://<host>/OperatorAPI`` (the server reads only its path)."""
    return f"http://{urlsplit(url).hostname or 'localhost'}/OperatorAPI"


def ok_id(result):
    """The id in an ``OK: 12`` answer (None for a bare ``OK``); BackendError for anything else."""
    text = result if isinstance(result, str) else ""
    match = OK.match(text)
    if not match:
        raise BackendError(" ".join(str(result).split()) or "empty answer", body=result)
    return match.group(1)


def records(value, *keys):
    """A list of record dicts from whatever shape the server chose.

    ``keys`` are wrapper names tried in turn (``customer``); the value may
    then be a list, an object keyed by id, or one bare record.
    """
    wrapped = [key for key in keys if isinstance(value, dict) and key in value]
    if wrapped:
        value = value[wrapped[0]]
    elif keys and isinstance(value, dict) and not all(isinstance(v, dict) for v in value.values()):
        return []  # a wrapper without its records (an empty search answer)
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    if isinstance(value, dict):
        if value and all(isinstance(item, dict) for item in value.values()):
            return list(value.values())
        return [value] if value else []
    return []


def result_of(answer):
    """A REST answer's result (None when it holds none)."""
    return answer.get("result") if isinstance(answer, dict) else None


def equipment_list(result):
    """listEquipment's result, unwrapped of ``Equipment`` when it is so wrapped
    (``records`` takes it from there)."""
    if isinstance(result, dict) and "Equipment" in result:
        return result["Equipment"]
    return result


def equipment_rows(answer):
    """The list holding a listEquipment answer's rows, as ``records`` finds it."""
    result = equipment_list(result_of(answer))
    return result.get("equipment") if isinstance(result, dict) else result


def custom_key(key):
    """A custom field's id, whether named ``7`` or ``custom_field_7``."""
    return re.sub(r"^custom_field_", "", str(key))


def as_wire(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


class SimplerClient:
    def __init__(self, http, username, password, operator=None, transport="rest",
                 rest_path="restapi", soap_path="API/operatorapi.pl", soap_namespace=None):
        self.http = http
        self.username = username
        self.auth = {"api_username": username, "api_password": password}
        if operator:
            self.auth["operator"] = operator
        self.transport = transport
        self.rest_path = (rest_path or "").strip("/")
        self.soap_path = soap_path
        self.soap_namespace = soap_namespace or default_namespace(http.base_url)
        self._soap = None

    # --- one call -----------------------------------------------------------------
    def call(self, function, params=None, write=False, parse=find_json):
        """The function's result, with credentials added; errors raised as BackendError.

        ``parse`` makes the answer of its JSON text (a list's ``Sieve``; SOAP
        answers are not sifted)."""
        body = dict(self.auth)
        body.update((k, as_wire(v)) for k, v in (params or {}).items())
        if self.transport == "soap":
            return self.soap().call(function, body, idempotent=not write)
        path = "/".join(part for part in (self.rest_path, "API", function) if part)
        response = self.http.request("POST", path, idempotent=not write, json=body,
                                     headers={"Accept": "application/json"})
        # Only the text is kept while it is parsed: the answer's bytes besides would
        # double what a module holds then (listEquipment of 200,000 is some 90 MB).
        status, text = response.status_code, response.text
        del response
        answer = parse(text)
        if isinstance(answer, dict) and "result" in answer:
            return answer["result"]
        raise refusal(
            "SIMPLer %s answered HTTP %s without a result: %s"
            % (function, status, self.refusal(text, 300)),
            status,
        )

    def soap(self):
        if self._soap is None:
            from ansible_collections.isp.provisioning.plugins.module_utils.simpler.soap import (
                SoapTransport,
            )

            self._soap = SoapTransport(self.http, self.soap_namespace, self.soap_path)
        return self._soap

    def refusal(self, text, limit=200):
        """A server's answer as message text: on one line, secrets masked, then cut."""
        return self.http.excerpt(" ".join(str(text or "").split()), limit) or "empty answer"

    def error_for(self, what, result):
        """The error for an answer that is not a result: the server's text, on one line."""
        return refusal(f"SIMPLer {what} refused: {self.refusal(result)}",
                       credentials=bool(BAD_CREDENTIALS.match(str(result))))

    def expect_ok(self, function, params, write=True):
        result = self.call(function, params, write=write)
        try:
            return ok_id(result)
        except BackendError:
            raise self.error_for(function, result)

    def query(self, function, params=None, parse=find_json):
        result = self.call(function, params, parse=parse)
        if isinstance(result, str):
            raise self.error_for(function, result)
        return result

    # --- functions ------------------------------------------------------------------
    def ping(self):
        return self.expect_ok("pingAPI", {}, write=False)

    def statuses(self):
        result = self.query("getCustomerStatuses")
        for key in ("customerStatusesRoot", "array", "statuses", "status"):
            if isinstance(result, dict) and key in result:
                result = result[key]
        if isinstance(result, str):
            result = [result]
        return [str(status) for status in result or []]

    def search_customers(self, **filters):
        """Every customer matching the filters (searchCustomer, page by page)."""
        found, offset = [], 0
        while True:
            params = dict(filters, limit=PAGE, offset=offset)
            result = self.query("searchCustomer", params)
            if isinstance(result, dict) and "customerSearchRoot" in result:
                result = result["customerSearchRoot"]
            page = records(result, "customer")
            found.extend(page)
            total = result.get("results") if isinstance(result, dict) else None
            offset += len(page)
            if not page or len(page) < PAGE or (total and offset >= int(total)):
                return found

    def customer_data(self, customerid):
        """(customer dict, custom fields by id) of one customer; None when it does not exist."""
        result = self.call("getCustomerData", {"customerid": customerid, "customFields": 1})
        if isinstance(result, str):
            if "not exist" in result.lower() or "not found" in result.lower():
                return None
            raise self.error_for(f"getCustomerData {customerid}", result)
        if isinstance(result, dict) and "customerDataRoot" in result:
            result = result["customerDataRoot"]
        customer = records(result, "customer")
        if not customer:
            return None
        return customer[0], custom_fields(result.get("customFields"))

    def add_customer(self, fields):
        return self.expect_ok("addCustomer", fields)

    def modify_customer(self, customerid, fields):
        self.expect_ok("modifyCustomer", dict(fields, customerid=customerid))

    def delete_customer(self, customerid):
        self.expect_ok("deleteCustomer", {"customerid": customerid})

    def equipment(self, sieve=None, **filters):
        """The equipment; a ``Sieve`` drops what the task will not keep as decoded."""
        parse = sieve.parser(equipment_rows) if sieve else find_json
        return records(equipment_list(self.query("listEquipment", filters, parse)), "equipment")

    def add_equipment(self, fields):
        return self.expect_ok("addEquipment", fields)

    def modify_equipment(self, equipid, fields):
        self.expect_ok("modifyEquipment", dict(fields, equipid=equipid))


def custom_fields(value):
    """Custom field values by id, from a list of {id, value}, or an object keyed by id or name."""
    found = {}
    wrapped = isinstance(value, dict) and ("field" in value or "customField" in value)
    if wrapped:
        value = value.get("field", value.get("customField"))
    if not wrapped and isinstance(value, dict) and not all(
        isinstance(v, dict) for v in value.values()
    ):
        for key, item in value.items():
            found[custom_key(key)] = as_wire(item)
        return found
    for item in records(value):
        key = item.get("id", item.get("fieldid"))
        if key is not None:
            found[str(key)] = as_wire(item.get("value", item.get("content")))
    return found
