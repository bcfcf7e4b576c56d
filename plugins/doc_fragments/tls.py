# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

# Not a fragment of its own: each backend's fragment is a ConnectionFragment,
# whose DOCUMENTATION is built so that every option names the real variable it
# falls back to (ISP_ONU_TIMEOUT), as connection_argument_spec() in
# module_utils/http_session.py makes every option fall back to one.

import yaml


class ConnectionFragment:
    """A backend's connection options (CONNECTION) with the shared ones (SHARED).

    A subclass declares ENV_PREFIX (``ISP_ONU_``) and CONNECTION, its own
    options' documentation; it gets DOCUMENTATION, in which an option
    ``timeout`` says it falls back to ``ISP_ONU_TIMEOUT``.
    """

    # The TLS, timeout and concurrency options every backend's connection takes.
    SHARED = r"""
options:
  validate_certs:
    description:
      - Verify the server's TLS certificate. Set to V(false) only for a test
        server with a self-signed certificate.
      - V(false), and O(ca_path), hold even when E(REQUESTS_CA_BUNDLE) or
        E(CURL_CA_BUNDLE) is set; with V(true) and no O(ca_path), the bundle
        those name (else the system's) verifies the certificate.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to verify the server's certificate with,
        for backends behind a private CA.
    type: path
  timeout:
    description:
      - Seconds to wait for an answer to one request (connecting waits at most 10).
    type: float
    default: 30
  concurrency:
    description:
      - How many requests of one task are in flight at once - the writes of a
        bulk list, and the per-record reads of backends that have no list call
        (SIMPLer customers, UserSide). Results keep the list's order; a record
        the backend refuses still does not stop the others, a backend that is
        down stops the writes not yet sent.
      - "Not set, each backend's default, what its server tolerates: ONU 8
        (its updates wait about a second each on the server), CRM 4, SIMPLer 4,
        IPDR 4, UserSide 4. V(1) sends one request at a time."
    type: int
notes:
  - Reads are retried with back-off after connection failures and HTTP 429,
    502, 503 and 504, honouring C(Retry-After). A write is repeated only when
    it provably never reached the server, or the server refused it with 429;
    a write whose answer was lost is checked by reading the record back and is
    never sent again blindly.
  - A C(Retry-After) that the server gives one request pauses every request of
    the task for that long.
  - A TLS handshake that fails is not tried again - an C(https://) url at a
    port that serves plain http fails at once (after one connect timeout at
    most), saying so. A url that cannot be sent to fails the task before any
    request.
requirements:
  - requests
"""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        documentation = yaml.safe_load(cls.CONNECTION)
        shared = yaml.safe_load(cls.SHARED)
        documentation["options"].update(shared["options"])
        for key in ("notes", "requirements"):
            documentation[key] = documentation.get(key, []) + shared[key]
        for name, option in documentation["options"].items():
            description = option["description"]
            option["description"] = [description] if isinstance(description, str) else description
            option["description"].append(
                f"If not set, the environment variable E({cls.ENV_PREFIX}{name.upper()}) is used.")
        cls.DOCUMENTATION = yaml.safe_dump(documentation, sort_keys=False, width=100)
