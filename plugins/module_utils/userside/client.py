# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Wire client of the UserSide ERP API, category ``customer`` (seed 004, CONTRACTS §5).

What the vendor document leaves out and this client copes with:

* one URL, ``api.php?key=KEY&cat=customer&action=...``: the key travels in
  the query string, so every text built from a URL goes through the
  Redactor (which also masks ``key=``);
* writes are always POSTed (3.21 and later refuse a GET write; older
  versions accept both), with their parameters in a form body; reads are GETs;
* envelopes in upper case (``Result``, ``Data``, ``Id``, ``ErrorText``) or in
  lower case (``result``, ``data``, ``id``, ``error``): keys are read
  case-insensitively; an error comes with a non-200 status, but an ``ERROR``
  result is an error whatever the status;
* ``get_abon_id`` answers one id, a list, a comma-separated string, or 0 /
  nothing for no match; ``get_customers_id`` answers ``data`` (a list) or
  ``list`` (a comma-separated string);
* actions that took ``usercode`` up to 3.16 get it too, next to ``customer_id``;
* a write answered by a 5xx page without an envelope (a proxy's 502/504) may
  or may not have happened: it raises AnswerLost, never BackendError.
"""

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendError,
    refusal,
)
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import (
    connection_argument_spec,
    find_json,
    session_from_params,
)

ENV = "ISP_USERSIDE_"

# A PHP application on one database: a few requests at a time.
CONCURRENCY = 4
ERROR_KEYS = ("errortext", "error", "message", "errormessage")


def connection_spec():
    return connection_argument_spec(
        ENV,
        url=dict(required=True),
        api_key=dict(required=True, no_log=True),
    )


def client_from_module(module):
    params = module.params
    http = session_from_params(params, params["api_key"], CONCURRENCY, url=api_base(params["url"]))
    return UsersideClient(http, params["api_key"])


def api_base(url):
    """The folder that holds ``api.php``; a URL naming ``api.php`` itself is accepted too."""
    url = url.split("?", 1)[0]
    if url.endswith(".php"):
        url = url.rsplit("/", 1)[0]
    return url if url.endswith("/") else f"{url}/"


def lowered(body):
    """A map with its keys in lower case: UserSide answers either case."""
    return {str(key).lower(): value for key, value in body.items()}


def error_text(body, fallback):
    for key in ERROR_KEYS:
        if body.get(key):
            return " ".join(str(body[key]).split())
    return fallback


def id_list(value):
    """Ids from an int, a list, or a comma-separated string; 0 and blanks are not ids."""
    if value is None or value is False:
        return []
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list):
        value = str(value).split(",")
    ids = []
    for item in value:
        if isinstance(item, dict):
            item = item.get("id")
        try:
            number = int(str(item).strip())
        except (TypeError, ValueError):
            continue
        if number > 0:
            ids.append(number)
    return ids


class UsersideClient:
    def __init__(self, http, api_key):
        self.http = http
        self.api_key = api_key

    def call(self, action, params=None, write=False):
        """One action; returns the answer with lower-cased keys, or raises BackendError.

        A write answered by a 5xx without an envelope (a proxy's 502 or 504
        page) may or may not have happened: that raises AnswerLost, so that
        the caller reads back; a 504 counts as a timeout (it may still happen).
        """
        query = {"key": self.api_key, "cat": "customer", "action": action}
        params = {k: v for k, v in (params or {}).items() if v is not None}
        if write:
            # no redirects: requests would follow a redirected POST with a GET, without the body
            response = self.http.request(
                "POST", "api.php", idempotent=False, params=query, data=params,
                allow_redirects=False,
            )
        else:
            query.update(params)
            response = self.http.request("GET", "api.php", idempotent=True, params=query)
        parsed = find_json(response.text)
        body = lowered(parsed) if isinstance(parsed, dict) else {}
        result = str(body.get("result", "")).upper()
        if response.status_code == 200 and result == "OK":
            return body
        if isinstance(parsed, dict):
            said = self.http.excerpt(
                error_text(body, f"result {body.get('result') or 'missing'}"))
        else:
            said = self.http.excerpt(" ".join((response.text or "no answer").split()))
        message = f"UserSide refused customer action {action} (HTTP {response.status_code}): {said}"
        if write and response.status_code >= 500 and not isinstance(parsed, dict):
            raise AnswerLost(
                f"UserSide customer action {action} got no answer of its own "
                f"(HTTP {response.status_code}): {said}",
                timed_out=response.status_code == 504,
            )
        # A wrong key is answered 403 "Access denied": a 401 or 403 refuses every call.
        raise refusal(self.http.redact(message), response.status_code, body)

    # --- reads ------------------------------------------------------------------
    def get_data(self, customer_id):
        data = self.call("get_data", {"customer_id": customer_id}).get("data")
        if not isinstance(data, dict):
            raise BackendError(f"UserSide answered get_data for id {customer_id} without data")
        return data

    def abon_ids(self, data_typer, value):
        try:
            body = self.call("get_abon_id", {"data_typer": data_typer, "data_value": value})
        except BackendError as exc:
            # Some versions may answer "not found" as an error envelope: that is no match.
            # A 404 without an envelope (a wrong url) stays an error.
            if exc.body and "not found" in exc.message.lower():
                return []
            raise
        return id_list(body.get("id"))

    def customer_ids(self, conditions):
        body = self.call("get_customers_id", conditions)
        return id_list(body.get("data", body.get("list")))

    def groups(self):
        """Customer groups, id -> name (3.19beta1 and later)."""
        data = self.call("get_customer_group").get("data") or {}
        entries = data.values() if isinstance(data, dict) else data
        groups = {}
        for entry in entries:
            if isinstance(entry, dict) and entry.get("id") is not None:
                groups[str(entry["id"])] = entry.get("name")
        return groups

    # --- writes -----------------------------------------------------------------
    def add(self, params):
        body = self.call("add", params, write=True)
        ids = id_list(body.get("id"))
        if not ids:
            raise BackendError("UserSide accepted the add but answered no customer id")
        return ids[0]

    def edit(self, customer_id, params):
        self.call("edit", dict(params, id=customer_id), write=True)

    def delete(self, customer_id):
        self.call("delete", {"id": customer_id}, write=True)

    def act(self, action, customer_id, **params):
        """An action on one customer; ``usercode`` is what versions up to 3.16 read."""
        params.update(customer_id=customer_id)
        if action in ("state_change", "tarif_change"):
            params["usercode"] = customer_id
        self.call(action, params, write=True)
