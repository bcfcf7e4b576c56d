# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Wire client of the RAISEPON 2.0 ONU provisioning API (seed 000, CONTRACTS §1).

What the vendor document leaves out and this client copes with:

* the JWT travels in the JSON body, and is refused for its first ten seconds
  (``nbf = iat + 10``): the client waits until ``nbf`` after each login, and
  waits again if the server still says "Cannot handle token prior to ...";
* an expired token (or one signed by a server that changed its key) means
  logging in again, once;
* statuses: login 200, create and update 201, delete 200, empty lists 404;
  a refused token or privilege 401;
* PHP diagnostics may come before the JSON in the same body;
* ``id``, ``service``, ``egn`` and ``state_rf`` are strings or numbers.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from datetime import datetime


from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    BackendError,
    BackendUnavailable,
    refusal,
)
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import (
    connection_argument_spec,
    find_json,
    session_from_params,
)
from ansible_collections.isp.provisioning.plugins.module_utils.onu.token_cache import TokenCache

ENV = "ISP_ONU_"

# Updates wait about a second on the real server (a fixed sleep, then SNMP to the
# OLT): the server is idle meanwhile, and PHP serves each request in its own process.
CONCURRENCY = 8
# Seconds of margin: a token this close to its exp is not used (a task may be long).
EXPIRY_MARGIN = 300
NOT_BEFORE = re.compile(r"Cannot handle token prior to (\S+)")
MAX_NBF_WAIT = 60
# "Cannot handle token prior to" answers waited out before giving up.
MAX_EARLY_REFUSALS = 12


def connection_spec():
    return connection_argument_spec(
        ENV,
        url=dict(required=True),
        username=dict(required=True),
        password=dict(required=True, no_log=True),
        token_cache=dict(type="bool", default=False),
    )


def client_from_module(module):
    params = module.params
    http = session_from_params(params, params["password"], CONCURRENCY)
    cache = None
    if params["token_cache"]:
        cache = TokenCache(params["url"], params["username"], params["password"])
    return OnuClient(http, params["username"], params["password"], cache)


def jwt_claims(token):
    """The payload of a JWT, read without the key (only to learn nbf and exp)."""
    try:
        payload = token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (IndexError, ValueError, TypeError, AttributeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def message_of(body):
    """The server's message; one not-found answer spells the key ``"message "``."""
    if not isinstance(body, dict):
        return ""
    text = body.get("message", body.get("message ", ""))
    return " ".join(str(text).split())


class OnuClient:
    def __init__(self, http, username, password, token_cache=None, clock=time.time, sleep=None):
        self.http = http
        self.username = username
        self.password = password
        self.cache = token_cache
        self.clock = clock
        self.sleep = sleep or time.sleep
        self._jwt = None
        self._waited_for = None
        self._token_lock = threading.RLock()
        self.warnings = []

    # --- authentication ---------------------------------------------------------
    def login(self):
        response = self.http.request(
            "POST",
            "api_login.php",
            idempotent=True,
            json={"username": self.username, "password": self.password},
        )
        body = find_json(response.text)
        token = body.get("jwt") if isinstance(body, dict) else None
        if response.status_code != 200 or not token:
            # Every call needs the token: without one the backend cannot be used.
            raise BackendUnavailable(
                f"ONU login as {self.username!r} failed (HTTP {response.status_code}): "
                f"{self.http.excerpt(message_of(body)) or 'no token'}",
                response.status_code,
            )
        self.http.redact.add(token)
        self._jwt = token
        if self.cache:
            problem = self.cache.save(token, jwt_claims(token).get("exp", 0))
            if problem:
                self.warnings.append(f"the ONU token cache is not used: {problem}")
        return token

    def token(self):
        # One login for every thread of the task's pool, not one each.
        with self._token_lock:
            return self._token()

    def _token(self):
        if self._jwt is None and self.cache:
            cached = self.cache.load(self.clock() + EXPIRY_MARGIN)
            if cached:
                self.http.redact.add(cached)
                self._jwt = cached
        if self._jwt is None:
            self.login()
        if self._waited_for != self._jwt:
            # Once per token: a client whose clock runs behind the server's must
            # not sleep before every call; the server's refusals say when.
            self.wait_until(jwt_claims(self._jwt).get("nbf", 0))
            self._waited_for = self._jwt
        return self._jwt

    def wait_until(self, moment):
        try:
            delay = float(moment) - self.clock()
        except (TypeError, ValueError):
            return
        if delay > 0:
            self.sleep(min(delay, MAX_NBF_WAIT))

    # --- calls ------------------------------------------------------------------
    def call(self, endpoint, payload=None, idempotent=True, parse=find_json):
        """POST ``payload`` with the token; returns (status, body) once the token is accepted.

        ``parse`` makes the body of the answer's text (a list's ``Sieve``).

        A refused token means the server did nothing, so sending again is safe:
        after "prior to" the client waits (at least a second each time, in case
        its clock runs ahead of the server's), after any other token error it
        logs in again, once.
        """
        relogged = False
        early = 0
        while True:
            used = self.token()
            body = dict(payload or {}, jwt=used)
            response = self.http.request("POST", endpoint, idempotent=idempotent, json=body)
            parsed = parse(response.text)
            if parsed is None:
                raise refusal(
                    f"ONU {endpoint} answered HTTP {response.status_code} without JSON: "
                    f"{self.http.excerpt(response.text)}",
                    response.status_code,
                )
            error = parsed.get("error", "") if isinstance(parsed, dict) else ""
            if response.status_code != 401 or not error:
                return response.status_code, parsed
            prior = NOT_BEFORE.search(error)
            if prior and early < MAX_EARLY_REFUSALS:
                early += 1
                moment = max(self._parse_time(prior.group(1)), self.clock() + 1)
                self.wait_until(moment)
                continue
            if prior or relogged:
                raise BackendUnavailable(
                    f"ONU {endpoint} refused the token ({self.http.excerpt(message_of(parsed))}): {self.http.excerpt(error)}",
                    401,
                )
            self._forget_token(used)
            relogged = True

    def _forget_token(self, used):
        """Drop the token the server refused, unless another thread has replaced it."""
        with self._token_lock:
            if self._jwt == used:
                self._jwt = None
                if self.cache:
                    self.cache.clear()

    def _parse_time(self, text):
        try:
            return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").timestamp()
        except ValueError:
            return self.clock() + 10

    def expect(self, endpoint, payload, statuses, idempotent=True, empty=None, parse=find_json):
        """Call and check the status; ``empty`` is the 404 message that means 'none'."""
        status, body = self.call(endpoint, payload, idempotent, parse)
        if status == 404 and empty and message_of(body) == empty:
            return None
        if status not in statuses:
            # 401 here is "Not enough privilege": the account may not do this at all.
            raise refusal(
                f"ONU {endpoint} (as {self.username!r}) answered HTTP {status}: "
                f"{self.http.excerpt(message_of(body) or json.dumps(body))}",
                status,
                body,
            )
        return body

    def listing(self, endpoint, key, empty, sieve=None):
        """A list endpoint's rows; 404 with ``empty`` means none. A ``Sieve``
        drops the rows the task will not keep as the answer is decoded."""
        parse = sieve.parser(lambda body: body.get(key) if isinstance(body, dict) else None) \
            if sieve else find_json
        body = self.expect(endpoint, None, (200,), empty=empty, parse=parse)
        if body is None:
            return []
        rows = body.get(key) if isinstance(body, dict) else None
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise BackendError(
                f"ONU {endpoint} answered without a list of {key}: "
                f"{self.http.excerpt(json.dumps(body))}"
            )
        return rows

    def services(self):
        return self.listing("get_services.php", "services", "No categories found.")

    def customers(self, sieve=None):
        return self.listing("get_customers.php", "customers", "No products found.", sieve)

    def create(self, fields):
        self.expect("create_customer.php", fields, (200, 201), idempotent=False)

    def update(self, fields):
        self.expect("update_customer.php", fields, (200, 201), idempotent=False)

    def delete(self, sn):
        self.expect("delete_customer.php", {"sn": sn}, (200,), idempotent=False)
