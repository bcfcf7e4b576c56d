# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Requests prepared as ``requests.PreparedRequest.prepare`` prepares them, with
what depends only on the method, the URL and the headers worked out once.

``prepare`` parses and re-quotes the URL, checks every header, looks for
credentials in the URL and asks the cookie jar for a header, on every
request: at two requests a record, a sixth of a module's CPU (py-spy, SIMPLer
customers). A task sends to a few URLs with a few sets of headers, so
:class:`Templates` prepares each pair once; a request copies its template and
adds what is its own: its query parameters (encoded and re-quoted as
requests does), its body, the cookie jar's header, the hooks. Whatever a
template cannot stand for - a URL holding credentials or a fragment, a query
given as text, more URLs than a task has - is prepared by requests itself.
"""

from __future__ import annotations

from http.cookiejar import CookieJar
from urllib.parse import urlencode

try:
    import requests
except ImportError:  # pragma: no cover - reported through missing_required_lib
    requests = None

# More distinct (method, URL, headers) than any client of this collection sends:
# past it, a request is prepared by requests alone (a client that put ids in
# its paths would not make the cache grow with the records).
MAX_TEMPLATES = 64


class Template:
    """A request's method, URL (without its query parameters) and headers, prepared."""

    __slots__ = ("method", "url", "headers", "lean")

    def __init__(self, method, url, headers):
        prepared = requests.PreparedRequest()
        prepared.prepare_method(method)
        prepared.prepare_url(url, None)
        prepared.prepare_headers(headers)
        self.method, self.url, self.headers = prepared.method, prepared.url, prepared.headers
        # URL credentials become an Authorization header after the body is
        # prepared, and a fragment goes after the query: both left to requests.
        self.lean = not any(requests.utils.get_auth_from_url(self.url)) and "#" not in self.url

    def url_with(self, params):
        """The URL with ``params`` (a mapping) added to its query, as ``prepare_url``
        adds them: encoded, joined to the query the URL has, the whole re-quoted."""
        encoded = encoded_params(params)
        if not encoded:
            return self.url
        return requests.utils.requote_uri(
            self.url + ("&" if "?" in self.url else "?") + encoded)


def encoded_params(params):
    """A mapping of query parameters encoded as ``PreparedRequest._encode_params``
    encodes one: a list value repeats its key, None is left out, text is UTF-8.

    requests first asks whether the mapping is a file (an isinstance check
    against a typing Protocol, the costliest step of a UserSide read's URL).
    """
    pairs = []
    for key, values in params.items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            values = [values]
        for value in values:
            if value is not None:
                pairs.append((key.encode("utf-8") if isinstance(key, str) else key,
                              value.encode("utf-8") if isinstance(value, str) else value))
    return urlencode(pairs, doseq=True)


def merged(session_headers, headers):
    """A request's headers over the session's, as requests merges them: a header
    given as None removes the session's."""
    if not headers:
        return session_headers
    both = requests.structures.CaseInsensitiveDict(session_headers)
    both.update(headers)
    return requests.structures.CaseInsensitiveDict(
        (name, value) for name, value in both.items() if value is not None)


class Templates:
    """The templates of one session's requests, by method, URL and the request's
    own headers and the session's (``session_headers``, read at every request)."""

    def __init__(self, session_headers):
        self.session_headers = session_headers
        self._by_request = {}

    def prepared(self, method, url, headers=None, params=None, data=None, json=None,
                 cookies=None, hooks=None):
        """A ``requests.PreparedRequest`` equal to what ``prepare`` makes of these
        arguments and the session's headers."""
        template = self._template(method, url, headers)
        if template is None or not template.lean or not isinstance(params, (dict, type(None))):
            prepared = requests.PreparedRequest()
            prepared.prepare(method=method, url=url, headers=merged(self.session_headers, headers),
                             data=data, json=json, params=params, cookies=cookies, hooks=hooks)
            return prepared
        prepared = requests.PreparedRequest()
        prepared.method = template.method
        prepared.url = template.url if params is None else template.url_with(params)
        prepared.headers = template.headers.copy()
        if isinstance(cookies, CookieJar) and not cookies:
            # What prepare_cookies keeps of an empty jar: the jar itself (a
            # redirect reads it), and no Cookie header.
            prepared._cookies = cookies  # pylint: disable=protected-access
        else:
            prepared.prepare_cookies(cookies)
        prepared.prepare_body(data, None, json)
        if hooks and any(hooks.values()):  # (else the default hooks it was made with)
            prepared.prepare_hooks(hooks)
        return prepared

    def _template(self, method, url, headers):
        try:
            # The session's headers are part of the key: a client may change them
            # after a request (zeep's transport sets its User-Agent on the session).
            key = (method, url, tuple(headers.items()) if headers else None,
                   tuple(self.session_headers.items()))
            template = self._by_request.get(key)
        except TypeError:  # a header value that cannot be a key: requests will say what
            return None
        if template is None and len(self._by_request) < MAX_TEMPLATES:
            template = self._by_request[key] = Template(
                method, url, merged(self.session_headers, headers))
        return template
