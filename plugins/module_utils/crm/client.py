# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Wire client of the neuCRM customer API (seed 001, CONTRACTS §2).

What the vendor document leaves out and this client copes with:

* every call is a form-encoded POST to ``<url>/api/customer/<action>`` with
  ``userid`` and ``api_key`` in the body (never in the URL);
* the answer is the envelope ``{"result": ..., "error": ...}``, and errors
  may come with HTTP 200: the envelope decides, not the status code; a body
  that is no envelope is an error whatever its status;
* the list's shape is not documented: a list of rows is expected, and a list
  wrapped in an object (``customers``, ``rows``, ``data``, ``records``,
  ``list``), an object keyed by id, or ``null`` are accepted; an error that
  says no record was found means an empty list, on the first page only (on a
  later page, or for one customer read back, it is an error);
* numbers may come as JSON numbers or as strings (PHP), ids as ``id`` or
  ``customerid``;
* ``rows_limit`` is at most 100 and a server may cut it lower: the client
  pages on, sorted by id, until a page is shorter than an earlier one (after
  a short first page, until the next is shorter still); it refuses a page
  that only repeats the one before;
* paging by offset is not a snapshot: a customer deleted between two page
  reads shifts the rows, and one would never be read (and a customer declared
  by uniqueid would then be created a second time) - while other shards of
  the same run delete and create. So each page starts OVERLAP rows before the
  end of the rows read and must reach back to the last customer read; when
  it does not, more were deleted, and it is read again from further back
  (see ``customers``).
"""

from __future__ import annotations

import re

from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    BackendError,
    refusal,
)
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import (
    connection_argument_spec,
    find_json,
    session_from_params,
)
from ansible_collections.isp.provisioning.plugins.module_utils.values import as_int

ENV = "ISP_CRM_"

# A PHP application on one database: a few requests at a time.
CONCURRENCY = 4
PAGE_SIZE = 100
# A list larger than this many pages means the server ignores rows_offset.
MAX_PAGES = 10000
# Rows each page shares with the one before: deletions between two page reads
# that shift the list by no more than this are seen through without a re-read.
OVERLAP = 10
LIST_WRAPPERS = ("customers", "rows", "data", "records", "list", "result")
ID_KEYS = ("id", "customerid", "customer_id")
NOTHING_FOUND = re.compile(r"(?i)\bno\b.*\b(record|customer|data|result|row)s?\b.*\bfound\b")
# How the CRM refuses the API user's credentials ("Invalid userid or api_key"),
# whatever the call: no other call can succeed then.
BAD_CREDENTIALS = re.compile(r"(?i)\binvalid\b.*\b(userid|api_?key)\b")


def connection_spec():
    return connection_argument_spec(
        ENV,
        url=dict(required=True),
        userid=dict(type="int", required=True),
        api_key=dict(required=True, no_log=True),
    )


def client_from_module(module):
    params = module.params
    http = session_from_params(params, params["api_key"], CONCURRENCY)
    return CrmClient(http, params["userid"], params["api_key"])


def rows_of(result):
    """The customer rows of a list answer, whatever plausible shape it has."""
    if result is None or result == "" or result == []:
        return []
    if isinstance(result, list):
        return [row for row in result if isinstance(row, dict)]
    if isinstance(result, dict):
        for key in LIST_WRAPPERS:
            if isinstance(result.get(key), (list, dict)):
                return rows_of(result[key])
        values = list(result.values())
        if values and all(isinstance(value, dict) for value in values):
            # keyed by id: keep the key as the id when the row lacks one
            return [
                dict(row, id=row.get("id", key)) if not any(k in row for k in ID_KEYS) else row
                for key, row in result.items()
            ]
        if any(key in result for key in ID_KEYS):
            return [result]
    raise BackendError("the CRM answered a customer list in an unknown shape")


def nothing_found(error):
    """True when ``error`` is the CRM's "no records found" refusal."""
    return error.body is not None and bool(NOTHING_FOUND.search(str(error.body.get("error"))))


def id_of(row):
    for key in ID_KEYS:
        if as_int(row.get(key)) is not None:
            return as_int(row[key])
    return None


class CrmClient:
    def __init__(self, http, userid, api_key):
        self.http = http
        self.userid = userid
        self.api_key = api_key

    def call(self, action, fields=None, write=False):
        """POST one action; returns the envelope's ``result``, raises on its ``error``."""
        body = {"userid": str(self.userid), "api_key": self.api_key}
        body.update((key, value) for key, value in (fields or {}).items() if value is not None)
        response = self.http.request(
            "POST", f"api/customer/{action}", idempotent=not write, data=body
        )
        parsed = find_json(response.text)
        if not isinstance(parsed, dict) or not ("result" in parsed or "error" in parsed):
            raise refusal(
                f"CRM {action} answered HTTP {response.status_code} without its result/error "
                f"envelope: {self.http.excerpt(response.text).strip()}",
                response.status_code,
            )
        error = parsed.get("error")
        if error not in (None, "", False, [], {}):
            if isinstance(error, (list, tuple)):
                error = "; ".join(str(item) for item in error)
            raise refusal(
                f"the CRM refused {action}: {self.http.excerpt(str(error))}",
                response.status_code,
                parsed,
                credentials=bool(BAD_CREDENTIALS.search(str(error))),
            )
        if response.status_code >= 400:
            raise refusal(
                f"CRM {action} answered HTTP {response.status_code}: "
                f"{self.http.excerpt(response.text).strip()}",
                response.status_code,
                parsed,
            )
        return parsed.get("result")

    # --- reads ------------------------------------------------------------------
    def list_page(self, filters, offset, limit=PAGE_SIZE, first=False):
        """One page of the list; "no records found" is an empty page only when ``first``."""
        fields = dict(filters or {})
        fields.update(
            rows_limit=str(limit), rows_offset=str(offset), sort_field="id", sort_order="asc"
        )
        try:
            return self.rows(self.call("list", fields))
        except BackendError as exc:
            if first and nothing_found(exc):
                return []
            raise

    def rows(self, result):
        try:
            return rows_of(result)
        except BackendError as exc:
            raise BackendError(f"{exc.message}: {self.excerpt(result)}") from None

    def excerpt(self, value):
        """A value the server sent, for a message: secrets masked, then cut short."""
        return self.http.excerpt(value if isinstance(value, str) else repr(value))

    def customers(self, filters=None, keep=None):
        """Every customer the list answers for ``filters``, read whole while others write
        (``keep(page)``: the rows of a page to keep, the others dropped as it is read).

        The list is sorted by id. A customer added while it is read gets a
        higher id, so it lands after the rows read; one deleted shifts every
        later row back one place, which would skip a row at the next page's
        start. So each page starts OVERLAP rows before the end of the rows
        read, and must reach back to the last customer already read (or start
        the list): if it does not, more rows than that were deleted meanwhile,
        and the page is read again from further back. Nothing then is missed
        that was there from the first page to the last, however busy the list.
        """
        found, offset, last, full, previous = {}, 0, None, 0, None
        seen = set()
        for _page in range(MAX_PAGES):
            page = self.list_page(filters, offset, first=offset == 0)
            ids = [id_of(row) for row in page]
            if offset and last is not None and (not ids or ids[0] > last):
                offset = max(0, offset - max(1, full - OVERLAP))  # rows were deleted: back
                continue
            # The same rows at the same offset, read again after the page past
            # them was empty. A page of OVERLAP rows or fewer stepped past its own
            # end (one row steps one): nothing follows it. A longer one stepped
            # to rows it had just shown, which an empty page then denied.
            if (offset, tuple(ids)) in seen:
                if len(page) <= OVERLAP:
                    return list(found.values())
                raise BackendError(
                    f"the CRM list answered no customers at rows_offset="
                    f"{offset + len(page) - OVERLAP}, and then again the ones it had shown "
                    "there: it cannot be read whole now; run the task again")
            seen.add((offset, tuple(ids)))
            if previous is not None and ids == previous and offset:
                raise BackendError(
                    f"the CRM list answered the same customers again at rows_offset={offset}: "
                    "it does not seem to honour rows_offset"
                )
            previous = ids
            for row in page if keep is None else keep(page):
                found.setdefault(id_of(row), row)
            if not page:
                return list(found.values())
            last = max(ids)
            # A page shorter than an earlier one is the last; after a first short
            # page only an empty one tells (the server may cut pages below 100).
            if len(page) < full:
                return list(found.values())
            full = max(full, len(page))
            offset += max(1, len(page) - OVERLAP)
        raise BackendError(f"the CRM list did not end after {MAX_PAGES} pages")

    def customer(self, customerid):
        """One customer by id, or None."""
        for row in self.list_page({"customerid": str(customerid)}, 0, limit=10):
            if id_of(row) == customerid:
                return row
        return None

    # --- writes -----------------------------------------------------------------
    def create(self, fields):
        """Create a customer; returns its new id."""
        result = self.call("create", fields, write=True)
        new_id = as_int(result)
        if new_id is None and isinstance(result, dict):
            new_id = id_of(result)
        if new_id is None:
            raise BackendError(
                f"the CRM created the customer but answered {self.excerpt(result)} instead of "
                "its id"
            )
        return new_id

    def update(self, customerid, fields):
        self.call("update", dict(fields, customerid=str(customerid)), write=True)

    def delete(self, customerid):
        self.call("delete", {"customerid": str(customerid)}, write=True)
