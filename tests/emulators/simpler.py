"""Emulator of the Azotel SIMPLer operator API (seed 002, CONTRACTS §3), REST and SOAP.

Serves, over the same functions and the same state:

* REST/JSON: ``POST /restapi/API/<function>`` with a JSON body (also under
  ``/API/<function>``, as the port-8080 server does), and the REST-style
  resources ``/restapi/customer`` (GET getCustomerData, POST addCustomer,
  PUT modifyCustomer, DELETE deleteCustomer) and ``/restapi/equipment`` (GET
  listEquipment, POST addEquipment, PUT modifyEquipment); every answer is
  ``{"ip": "<caller>", "result": <payload>}`` with HTTP 200, errors included.
* SOAP: ``POST /API/operatorapi.pl``, rpc style as SOAP::Lite speaks it (see
  :mod:`tests.emulators.simpler_soap`); no WSDL is published.

Every call carries ``api_username``, ``api_password`` and optionally
``operator``; seeded with the account of the seed's curl examples
(``username`` / ``password``, operator ``operator``). ``access_list`` (config,
comma-separated IPs; empty allows all) is checked against the caller's IP.

Quirks kept: addCustomer makes ``nickname`` and ``invoicingid`` unique by
appending a serial number (a second add is a second customer); dates are
written MM/DD/YYYY and read YYYY-MM-DD; read names differ from write names;
deleteCustomer refuses ``current`` customers and customers with subscriptions,
IPs or CPE; equipment is written with ``mac`` and read as ``macaddress``;
modifyEquipment ignores the SIM fields; there is no equipment delete.

Choices where CONTRACTS says *unknown* (the client accepts other shapes too):

* error texts start with ``ERROR: ``; authentication failures answer
  ``ERROR: authentication failed for '<user>' from <ip>``;
* searchCustomer's JSON ``result`` is ``{case_sensitive, customer, limit,
  offset, order, results}`` with ``customer`` an object keyed by customer id
  (config ``search_shape: list`` answers a list instead); matching is a
  case-insensitive substring match except ``customerid`` (exact); it also
  accepts ``nickname`` and ``invoicingid``;
* getCustomerData with ``customFields=1`` adds ``customFields``: a list of
  ``{id, name, value}``; getCustomerStatuses' JSON result is a list of names;
* over SOAP, structured results are XML text (XML::Simple style) in the one
  result element: ``customerSearchRoot``, ``customerDataRoot``,
  ``customerStatusesRoot``, and for listEquipment the seed's ``<Equipment>``
  whose children are named after the equipment ids (not well-formed XML);
* modifyCustomer refuses a ``nickname``/``invoicingid`` another customer has.
* an item of equipment keeps each value stripped of surrounding white space,
  and its ``nickname`` is unique as kept: ``" NS2 "`` is NS2's nickname (so
  ``ERROR: equipment nickname 'NS2' already exists``), and a blank one is
  ``ERROR: nickname is required``, on add and modify alike;
* an id (``customerid``, ``equipid``) is ASCII digits: any other text, or a
  number no SQL integer holds, names nothing (``... does not exist``); a REST
  body that is no JSON object, or holds a lone UTF-16 surrogate (which Perl's
  JSON::XS refuses), is ``ERROR: the request body is not a JSON object``.

Every search is indexed (:mod:`tests.emulators.simpler_store`): by id
through the row id, substring searches of three characters or more through
trigram indexes of the searched texts, then compared exactly; shorter ones
read every customer (or item). Paging through searchCustomer's answers by
id continues where the last page ended (:mod:`tests.emulators.paging`).

Generated records (``--seed-records N``, ``POST /_emulator/seed``), for each
``n`` one customer and one item of equipment: customer ``nickname``
``<prefix lower-case>_<n, 6 digits>`` (``seed_000001``), ``invoicingid``
``<prefix>-<n, 6 digits>`` (``SEED-000001``), ``name`` ``<prefix> Customer <n, 6
digits>``, status ``potential``, type ``customer home``, ``email``
``<nickname>@example.net``, street ``<n> <prefix> Street``, town ``London``,
``zip`` ``n`` mod 100,000 in 5 digits, country ``Poland``, ``init_date``
``2025-01-01``; equipment ``nickname`` ``cpe_<nickname>``, type
``nanostationsm``, status ``use``, ``macaddress`` ``06:`` + ``n`` in 5 hex
bytes, ``ipaddress`` ``10.<128 + n / 65536>.<n / 256 mod 256>.<n mod 256>``;
ids follow the stored ones. The prefix takes letters, digits and ``_``.
"""

import functools
import json
from json.encoder import c_make_encoder, encode_basestring_ascii

from flask import Response, g, request

from tests.emulators import simpler_soap as soap
from tests.emulators.core import Emulator, parse_json
from tests.emulators.kept import KeptAnswers
from tests.emulators.simpler_api import FUNCTIONS, READS, SCHEMA, SimplerApi, generate, seed

SOAP_PATH = "/API/operatorapi.pl"
SOAP_ENDPOINT = "simpler-soap"
# Reads whose REST answer is kept until the next write (tests.emulators.kept): the
# whole equipment list, read once per shard of a run.
KEPT = ("listEquipment",)
RESOURCES = {
    "/restapi/customer": (("GET", "getCustomerData"), ("POST", "addCustomer"),
                          ("PUT", "modifyCustomer"), ("DELETE", "deleteCustomer")),
    "/restapi/equipment": (("GET", "listEquipment"), ("POST", "addEquipment"),
                           ("PUT", "modifyEquipment")),
}


def kind_of(function):
    return "read" if function in READS else "write"


# The types of the values that json's C encoder writes alike with an indent or without.
PLAIN = frozenset((str, int, float, bool, type(None)))


def rest_json(value, pad=""):
    """``json.dumps(value, indent=3)``, byte for byte, in a fraction of the time: a list
    of 200,000 items of equipment is answered in seconds. (With an indent, json
    encodes in Python a token at a time; here a container of plain values - a
    customer, an item - is encoded by json's C encoder in one call, and the others
    joined at once.)"""
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if not value or not isinstance(value, (dict, list)):
        return json.dumps(value)
    inner = pad + "   "
    items = value.values() if isinstance(value, dict) else value
    if PLAIN.issuperset(map(type, items)):
        text = flat_encoder(inner)(value)
        return "%s\n%s%s\n%s%s" % (text[0], inner, text[1:-1], pad, text[-1])
    if isinstance(value, dict):
        members = ("\n%s%s: %s" % (inner, json_key(key), rest_json(item, inner))
                   for key, item in value.items())
        return "{%s\n%s}" % (",".join(members), pad)
    items = ("\n%s%s" % (inner, rest_json(item, inner)) for item in value)
    return "[%s\n%s]" % (",".join(items), pad)


@functools.lru_cache(maxsize=None)
def flat_encoder(inner):
    """json's C encoder (as ``json.dumps`` without an indent calls it) writing a
    container's items as ``indent=3`` does at the depth ``inner``, but for the line
    break after the opening bracket and before the closing one (which
    :func:`rest_json` adds)."""
    encode = c_make_encoder(None, json.JSONEncoder().default, encode_basestring_ascii, None, ": ",
                            ",\n" + inner, False, False, True)
    return lambda value: "".join(encode(value, 0))


def json_key(key):
    """A key as json writes it: text, or a number, true, false or null made text."""
    if not isinstance(key, str):
        key = json.dumps(key).strip('"')
    return encode_basestring_ascii(key)


class SimplerEmulator(Emulator):
    name = "simpler"
    base_path = "/"
    schema = SCHEMA
    options = (
        ("--access-list", dict(default=None, help="comma-separated client IPs allowed")),
        ("--search-shape", dict(default=None, choices=["keyed", "list"],
                                help="JSON shape of searchCustomer's customers")),
    )
    harness = {"simpler": {}}
    demo = {"port": 18083, "config": {}}

    def default_config(self):
        return dict(access_list="", search_shape="keyed")

    def seed(self, db):
        seed(db)

    def generate(self, db, count, prefix, start):
        generate(db, count, prefix, start)

    def routes(self):
        self.api = SimplerApi(self.store)
        self.kept = KeptAnswers(self.store)
        # The account of the last caller: a run calls as one user, twice per record.
        self.accounts = KeptAnswers(self.store)
        self.gensym = soap.Gensym()
        for function in FUNCTIONS:
            for prefix in ("/restapi/API/", "/API/"):
                self.rest_route(prefix + function, ("POST", "GET"), function)
        for rule, methods in RESOURCES.items():
            for method, function in methods:
                self.rest_route(rule, (method,), function)
        self.app.add_url_rule(SOAP_PATH, SOAP_ENDPOINT, self.soap_view, methods=["POST"])

    def rest_route(self, rule, methods, function):
        kind = kind_of(function)
        self.route(rule, kind, methods, counter=function,
                   fast=methods if kind == "read" else ())(
            self._rest_view(function))

    # --- the shared layer, extended to SOAP -------------------------------------
    def _before(self):
        """Count and fault a SOAP call under its function's name, as REST calls are."""
        if request.endpoint != SOAP_ENDPOINT:
            return super()._before()
        try:
            g.soap_call = soap.parse_call(request.get_data(), FUNCTIONS)
        except soap.SoapFault as exc:
            g.soap_call = exc
            self.counters.count("read", "soap")
            return None
        return self._admit_flask(kind_of(g.soap_call.method), g.soap_call.method)

    # --- transports ---------------------------------------------------------------
    def _rest_view(self, function):
        def view():
            body = self.rest_answer(function, self.request.get_data(as_text=True))
            return Response(body, status=200, mimetype="application/json")

        view.__name__ = "rest_" + function
        return view

    def rest_answer(self, function, text):
        """The JSON text of a REST call's answer (encoded, when it was kept)."""
        params = parse_json(text or "{}")
        if not isinstance(params, dict):
            return self.rest_body("ERROR: the request body is not a JSON object")
        params = {str(k): v if v is None or isinstance(v, str) else
                  (json.dumps(v) if isinstance(v, (dict, list)) else str(v))
                  for k, v in params.items()}
        if function in KEPT and not self.refuse(params):
            asked = (function, tuple(params.items()), self.request.remote_addr)
            return self.kept.get(asked, lambda: self.rest_body(
                self.call(function, params)).encode())
        result = self.call(function, params)
        if function == "searchCustomer" and isinstance(result, dict):
            result = self.rest_search_shape(result)
        return self.rest_body(result)

    def rest_body(self, result):
        return rest_json({"ip": self.request.remote_addr, "result": result})

    def rest_search_shape(self, result):
        if self.config["search_shape"] == "list":
            return result
        keyed = {record["customerid"]: record for record in result["customer"]}
        return dict(result, customer=keyed)

    def soap_view(self):
        call = g.soap_call
        if isinstance(call, soap.SoapFault):
            return Response(soap.fault(call), status=500, mimetype="text/xml")
        result = self.call(call.method, call.params)
        if not isinstance(result, str):
            result = soap.structured_xml(call.method, result)
        return Response(soap.response(call, result, self.gensym), status=200,
                        mimetype="text/xml")

    # --- authentication, then the function ------------------------------------------
    def call(self, function, params):
        refusal = self.refuse(params)
        if refusal:
            return refusal
        return getattr(self.api, function)(params)

    def refuse(self, params):
        caller = self.request.remote_addr
        allowed = [ip.strip() for ip in self.config["access_list"].split(",") if ip.strip()]
        user = params.get("api_username") or ""
        if allowed and caller not in allowed:
            return "ERROR: access denied: IP %s is not on the access list" % caller
        account = self.accounts.get(user, lambda: self.store.one(
            "SELECT * FROM accounts WHERE username = ?", (user,)))
        if account is None or account["password"] != params.get("api_password"):
            return "ERROR: authentication failed for '%s' from %s" % (user, caller)
        if params.get("operator") not in (None, "", account["operator"]):
            return "ERROR: unknown operator database '%s'" % params["operator"]
        return None
