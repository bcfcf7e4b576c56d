# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Wire client of the Trisul IPDR customers REST API (seed 003, CONTRACTS §4).

What the vendor document leaves out and this client copes with:

* every request, GET included, carries a JSON body with ``api_token``,
  ``username`` and ``contextname``; nothing travels in the URL but the UserID;
* errors come as HTTP 200 (or any other status) with a body whose ``status``
  is ``ERROR`` or ``Error`` (any case) and a ``message``: the body decides,
  never the status code alone;
* the not-found and duplicate answers are not documented: any error body
  whose message says "not found" is taken as not found;
* GET answers a bare array; an object that wraps the array (``data``,
  ``customers``, ``ipdrcustomers``) is accepted too, and so is a write's
  customer object wrapped the same way.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    BackendError,
    refusal,
)
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import (
    connection_argument_spec,
    find_json,
    session_from_params,
)

ENV = "ISP_IPDR_"

# Trisul's web API on the probe's own host, which also captures traffic: a few at a time.
CONCURRENCY = 4
COLLECTION = "api/ipdrcustomers"
# Keys under which a server might wrap a list or an object instead of answering it bare.
WRAPPERS = ("data", "customers", "ipdrcustomers", "customer", "ipdrcustomer", "result")
ERROR_STATUSES = ("error", "fail", "failed", "failure")
# The documented refusals of the token, the context and the user's grant on it
# (CONTRACTS §4): they refuse every request of the task, whatever the record.
BAD_CREDENTIALS = re.compile(
    r"(?i)invalid api token|invalid context name|not allowed to access the context")


def connection_spec():
    return connection_argument_spec(
        ENV,
        url=dict(required=True),
        username=dict(required=True),
        api_token=dict(required=True, no_log=True),
        context=dict(default="default"),
    )


def client_from_module(module):
    params = module.params
    http = session_from_params(params, params["api_token"], CONCURRENCY)
    return IpdrClient(http, params["username"], params["api_token"], params["context"])


def error_of(body):
    """The backend's error text when ``body`` is an error answer, else None."""
    if not isinstance(body, dict):
        return None
    status = str(body.get("status", "")).strip().lower()
    if status in ERROR_STATUSES:
        return str(body.get("message") or body.get("error") or body.get("errors") or status)
    for key in ("error", "errors"):
        if body.get(key):
            text = body[key]
            if isinstance(text, dict):
                text = "; ".join(f"{k} {v}" for k, v in sorted(text.items()))
            elif isinstance(text, list):
                text = "; ".join(str(item) for item in text)
            return str(text)
    # A message and no customer in it: a refusal whose status we do not know. A
    # wrapped success ({"message": "Customer created", "data": {...}}) holds one.
    if "message" in body and "UserID" not in body and not holds_customers(body):
        return str(body["message"])
    return None


def holds_customers(body):
    """True when a wrapper key of ``body`` holds a customer or a list (of customers)."""
    return any(
        isinstance(body.get(key), list)
        or (isinstance(body.get(key), dict) and "UserID" in body[key])
        for key in WRAPPERS
    )


def unwrap(body, kind):
    """The bare list or object inside ``body``, or None when it holds no such thing."""
    # A customer object names its UserID; any other object may be a wrapper.
    if isinstance(body, kind) and (kind is list or "UserID" in body):
        return body
    if isinstance(body, dict):
        for key in WRAPPERS:
            if isinstance(body.get(key), kind):
                return body[key]
    return None


def is_not_found(error):
    return isinstance(error, BackendError) and "not found" in error.message.lower()


class IpdrClient:
    def __init__(self, http, username, api_token, context):
        self.http = http
        self.username = username
        self.api_token = api_token
        self.context = context

    def describe(self):
        return f"IPDR server (as {self.username!r}, context {self.context!r})"

    def call(self, method, path, fields=None, idempotent=True, parse=find_json):
        """Send one request; the parsed answer (``parse`` makes it of the answer's
        text: a list's ``Sieve``), or BackendError with the server's message."""
        body = dict(fields or {})
        body.update(api_token=self.api_token, username=self.username, contextname=self.context)
        what = f"{method} /{path}"
        response = self.http.request(method, path, idempotent=idempotent, json=body)
        parsed = parse(response.text)
        problem = error_of(parsed)
        if problem is None and parsed is None:
            problem = (f"HTTP {response.status_code} without JSON: "
                       f"{self.http.excerpt(response.text) or 'empty body'}")
        elif problem is None and response.status_code >= 400:
            problem = f"HTTP {response.status_code}: {self.http.excerpt(str(parsed))}"
        if problem is not None:
            raise refusal(
                f"{self.describe()} refused {what}: {self.http.excerpt(problem, 500)}",
                response.status_code,
                parsed,
                credentials=bool(BAD_CREDENTIALS.search(problem)),
            )
        return parsed

    def expect_customer(self, method, path, answer):
        customer = unwrap(answer, dict)
        if customer is None or "UserID" not in customer:
            raise BackendError(
                f"{self.describe()} answered {method} /{path} without the customer: "
                f"{self.http.excerpt(str(answer))}"
            )
        return customer

    @staticmethod
    def member(user_id):
        if "." in str(user_id):
            # the route would read ".x" as a format and address another customer
            raise BackendError(
                f"user_id {str(user_id)!r} contains '.', which cannot be addressed in a URL")
        return f"{COLLECTION}/{quote(str(user_id), safe='')}"

    # --- operations -------------------------------------------------------------
    def customers(self, sieve=None):
        """Every customer; a ``Sieve`` drops those the task will not keep as decoded."""
        parse = sieve.parser(lambda answer: unwrap(answer, list)) if sieve else find_json
        answer = self.call("GET", COLLECTION, parse=parse)
        customers = unwrap(answer, list)
        if customers is None:
            raise BackendError(
                f"{self.describe()} answered GET /{COLLECTION} with no list of customers: "
                f"{self.http.excerpt(str(answer))}"
            )
        return [customer for customer in customers if isinstance(customer, dict)]

    def create(self, fields):
        answer = self.call("POST", COLLECTION, fields, idempotent=False)
        return self.expect_customer("POST", COLLECTION, answer)

    def patch(self, user_id, fields):
        path = self.member(user_id)
        answer = self.call("PATCH", path, fields, idempotent=False)
        return self.expect_customer("PATCH", path, answer)

    def delete(self, user_id):
        """Delete; True when deleted, False when the server says it was not there."""
        try:
            self.call("DELETE", self.member(user_id), idempotent=False)
        except BackendError as exc:
            if is_not_found(exc):
                return False
            raise
        return True
