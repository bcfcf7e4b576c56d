# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""A prepared request sent straight through its server's urllib3 pool.

``requests.Session.send`` and ``HTTPAdapter.send`` wrap each request's one
call of its urllib3 pool in work that, for a task's requests, gives the same answer every
time or none at all: the CA bundle looked up on disk, the response hooks
(none), an empty cookie jar searched for the answer's cookies, a timer, a
``Response`` with a cookie jar of its own, the body read back in 10 KB
chunks through a generator: at two requests a record, a third of a module's
CPU (py-spy, SIMPLer and UserSide customers). :func:`send` does what
``HTTPAdapter.send`` does with ``preload_content`` and ``stream=False``: the
same call of the pool (the adapter's, its Retry with the session's
``Retry-After`` and backoff, the same timeouts, no redirect followed inside
urllib3), the body read whole, and every urllib3 error raised as the
``requests`` exception requests raises for it, at the same point; a
:class:`DirectResponse` is a ``requests.Response`` in every attribute a
caller reads (but ``headers`` is urllib3's case-insensitive mapping, whose
``items()`` gives a header sent twice twice, where requests joins them; ``get``
joins them as requests does). What remains of ``Session.send`` - cookies an answer sets, a
redirect to follow - the session does only when the answer calls for it
(see ``TaskSession.request``).
"""

from __future__ import annotations

import datetime
import functools
import time

try:
    import requests
    import urllib3
    from requests import exceptions as failed
    from urllib3 import exceptions as urllib3_failed
    from urllib3.util import Timeout
except ImportError:  # pragma: no cover - reported through missing_required_lib
    requests = None

if requests is not None:

    class DirectResponse(requests.Response):
        """A ``requests.Response`` built without ``Response.__init__``'s cookie jar:
        its cookies are read from the answer when asked for (``cookies``); its
        body is already read (``content``)."""

        def __init__(self, request, raw, content, elapsed, adapter):
            # pylint: disable-next=super-init-not-called
            self._content = content
            self._content_consumed = True
            self._next = None
            self._cookies = None
            self.status_code = raw.status
            self.headers = raw.headers  # urllib3's: case-insensitive, as requests' is
            self.encoding = encoding_of(raw.headers.get("content-type"))
            self.raw = raw
            self.reason = raw.reason
            self.url = request.url
            self.history = []
            self.request = request
            self.connection = adapter
            self.elapsed = elapsed  # up to the answer's headers, as requests times it

        @property
        def cookies(self):
            if self._cookies is None:
                self._cookies = requests.cookies.cookiejar_from_dict({})
                if sets_cookies(self.raw):
                    requests.cookies.extract_cookies_to_jar(self._cookies, self.request, self.raw)
            return self._cookies

        @cookies.setter
        def cookies(self, jar):
            self._cookies = jar

    class OneWrite:
        """A urllib3 connection mixin: a request's headers and its body go to the
        socket in one write, as ``http.client`` sends them when given the body.

        urllib3 writes the headers, then the body: two system calls, and on a
        connection with TCP_NODELAY two segments, each waking the server. Only a
        body known whole (bytes or text, not chunked) waits for its headers.
        """

        _hold_next = False
        _held = None

        def request(self, method, url, body=None, headers=None, *, chunked=False, **options):
            self._hold_next = isinstance(body, (bytes, str)) and bool(body) and not chunked
            try:
                super().request(method, url, body, headers, chunked=chunked, **options)
                if self._held is not None:  # (no body was written after all)
                    super().send(self._held)
            finally:
                self._hold_next, self._held = False, None

        def send(self, data):
            if self._hold_next:  # the headers: kept for the body's write
                self._hold_next, self._held = False, data
                return
            if self._held is not None:
                data, self._held = self._held + data, None
            super().send(data)

    class OneWriteConnection(OneWrite, urllib3.connection.HTTPConnection):
        """urllib3's HTTP connection, writing a request at once (:class:`OneWrite`)."""

    class OneWritePool(urllib3.HTTPConnectionPool):
        ConnectionCls = OneWriteConnection


@functools.lru_cache(maxsize=64)
def encoding_of(content_type):
    """The encoding requests reads an answer's text in, from its Content-Type (parsed
    once per distinct header, not once per answer)."""
    return requests.utils.get_encoding_from_headers(
        {"content-type": content_type} if content_type else {})


def sets_cookies(raw):
    """Whether a urllib3 answer sets cookies (what ``extract_cookies_to_jar`` reads)."""
    return "set-cookie" in raw.headers or "set-cookie2" in raw.headers


@functools.lru_cache(maxsize=16)
def timeout_of(timeout):
    """urllib3's Timeout for requests' ``timeout`` argument (a number or a (connect, read)
    pair); one per value, as urllib3 uses a copy of it for each request (``clone``)."""
    if isinstance(timeout, tuple):
        connect, read = timeout
        return Timeout(connect=connect, read=read)
    return Timeout(connect=timeout, read=timeout)


def send(adapter, request, verify, cert, timeout):
    """``request`` (prepared, for a server reached without a proxy) sent through
    its pool in ``adapter`` (see ``HandshakeAdapter.direct_pool``): a
    :class:`DirectResponse`, or the exception requests raises."""
    try:
        pool = adapter.direct_pool(request, verify, cert)
    except urllib3_failed.LocationValueError as err:
        raise failed.InvalidURL(err, request=request)
    started = time.perf_counter()
    try:
        # Without fields to encode, request_encode_url hands its arguments as they
        # are to the pool's one request call, whatever the method.
        raw = pool.request_encode_url(
            request.method, path_of(request), body=request.body,
            headers=request.headers, redirect=False, assert_same_host=False,
            preload_content=False, decode_content=False, retries=adapter.max_retries,
            timeout=timeout_of(timeout),
            chunked=not (request.body is None or "Content-Length" in request.headers))
    except (urllib3_failed.ProtocolError, OSError) as err:
        raise failed.ConnectionError(err, request=request)
    except urllib3_failed.MaxRetryError as err:
        raise failed_retries(err, request)
    except urllib3_failed.ClosedPoolError as err:
        raise failed.ConnectionError(err, request=request)
    except urllib3_failed.ProxyError as err:  # pragma: no cover - no proxy on this path
        raise failed.ProxyError(err)
    except urllib3_failed.SSLError as err:
        raise failed.SSLError(err, request=request)
    except urllib3_failed.ReadTimeoutError as err:
        raise failed.ReadTimeout(err, request=request)
    except urllib3_failed.InvalidHeader as err:
        raise failed.InvalidHeader(err, request=request)
    elapsed = datetime.timedelta(seconds=time.perf_counter() - started)
    # The body, as Response.content reads it (its errors as it raises them): a
    # chunked one chunk by chunk, as urllib3's stream does, so that a broken chunk
    # is told as it is (http.client's own read says only IncompleteRead(0)).
    try:
        if raw.chunked and raw.supports_chunked_reads():
            content = b"".join(raw.read_chunked(decode_content=True))
        else:
            content = raw.read(decode_content=True)
    except urllib3_failed.ProtocolError as err:
        raise failed.ChunkedEncodingError(err)
    except urllib3_failed.DecodeError as err:
        raise failed.ContentDecodingError(err)
    except urllib3_failed.ReadTimeoutError as err:
        raise failed.ConnectionError(err)
    except urllib3_failed.SSLError as err:
        raise failed.SSLError(err)
    return DirectResponse(request, raw, content, elapsed, adapter)


def path_of(request):
    """``request.path_url`` (the path and query sent to a server reached directly),
    without parsing the whole URL for the common ``scheme://server/path?query``."""
    url = request.url
    parts = url.split("/", 3)
    if len(parts) < 4 or "#" in url or "?" in parts[2]:
        return request.path_url
    return "/" + parts[3]


def failed_retries(err, request):
    """The requests exception ``HTTPAdapter.send`` raises for urllib3's MaxRetryError."""
    reason = err.reason
    if isinstance(reason, urllib3_failed.ConnectTimeoutError) and not isinstance(
            reason, urllib3_failed.NewConnectionError):
        return failed.ConnectTimeout(err, request=request)
    if isinstance(reason, urllib3_failed.ResponseError):
        return failed.RetryError(err, request=request)
    if isinstance(reason, urllib3_failed.ProxyError):  # pragma: no cover - no proxy here
        return failed.ProxyError(err, request=request)
    if isinstance(reason, urllib3_failed.SSLError):
        return failed.SSLError(err, request=request)
    return failed.ConnectionError(err, request=request)
