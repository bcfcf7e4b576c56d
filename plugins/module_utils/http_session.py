# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""One HTTP session per task: keep-alive, timeouts, TLS, safe retries.

Retry rules, because a repeated write can duplicate a subscriber:

* a request that never reached the server (the connection could not be
  opened) is always safe to send again;
* a request the server explicitly refused without acting on it (429) is safe
  to send again, after ``Retry-After``;
* a read (``idempotent=True``) is also repeated after 502, 503, 504 and after
  a lost answer;
* a write whose answer was lost raises :class:`AnswerLost`: the caller must
  read back, never resend blindly.

Every thread of a task's pool (see ``pool.py``) sends through one session:
a ``Retry-After`` one of them is given pauses them all, since the server
asked the client, not the request, to slow down.

When even the retries do not get an answer (no connection, TLS refused, no
answer to a read), the session raises :class:`BackendUnavailable`: no other
request of the task would fare better, so the engine stops that backend.

A TLS handshake that fails is tried once only: a server that does not speak
TLS on the port (an ``https://`` URL at a plain-http port) will not start to
on a second try, and urllib3 would take a handshake left unanswered for a
read timeout and retry it as one.

The retries are urllib3's own (:class:`Retry`: connect, read and status
retries, backoff, ``Retry-After``), one set of rules for reads and one for
writes, each on its own connection pool; the subclass adds only what urllib3
lacks: its waits go through the session, which holds every thread of the
pool during a ``Retry-After`` and which tests replace.
"""

from __future__ import annotations

import json
import os
import ssl
import threading
import time
import traceback

from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendUnavailable,
    ValidationError,
)
from ansible_collections.isp.provisioning.plugins.module_utils import http_direct
from ansible_collections.isp.provisioning.plugins.module_utils.http_request import Templates
from ansible_collections.isp.provisioning.plugins.module_utils.secrets import Redactor

try:
    import requests
    import urllib3

    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - reported through missing_required_lib
    requests = urllib3 = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

# Statuses that say the server did nothing: a read is sent again after each,
# a write only after 429 (a 503 may come after the write was done).
READ_RETRY_STATUSES = frozenset((429, 502, 503, 504))
WRITE_RETRY_STATUSES = frozenset((429,))
MAX_RETRY_AFTER = 30.0
# json's decoder holds no state between calls: one serves every answer of every thread.
DECODER = json.JSONDecoder()


def connection_argument_spec(env_prefix, **options):
    """A backend's connection options plus the TLS and timeout ones every backend shares.

    Every option falls back to the environment variable ``<env_prefix><OPTION>``
    (``ISP_ONU_PASSWORD``), so that AWX credentials and CI can supply them (see
    doc fragment ``tls`` and each backend's fragment).
    """
    options.update(
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        timeout=dict(type="float", default=30.0),
        # No default here: each backend's client knows what its server tolerates.
        concurrency=dict(type="int"),
    )
    for name, option in options.items():
        option.setdefault("type", "str")
        option["fallback"] = (non_empty_env, [env_prefix + name.upper()])
    return options


def non_empty_env(name):
    """The value of environment variable ``name``, unless it is unset or empty.

    AWX renders every injector of a credential type, those of the inputs a
    credential leaves empty too: there ``ISP_ONU_TIMEOUT=""`` means "not set",
    and the option keeps its default (Ansible's ``env_fallback`` would pass the
    empty text on, and a bool or a number option would fail on it).
    """
    from ansible.module_utils.errors import AnsibleFallbackNotFound

    value = os.environ.get(name)
    if not value:
        raise AnsibleFallbackNotFound
    return value


def checked_url(url, redact):
    """``url`` if requests can send to it; else a ValidationError naming it.

    Checked when the task starts, with requests' own parser: a malformed URL
    would otherwise fail each request (or, inside a client, a traceback).
    """
    try:
        requests.models.PreparedRequest().prepare_url(url, None)
    except (requests.exceptions.RequestException, ValueError) as exc:
        raise ValidationError(f"url {redact(url)!r} is not a valid URL: {redact(exc)}")
    if urllib3.util.parse_url(url).scheme not in ("http", "https"):
        raise ValidationError(
            f"url {redact(url)!r} is not a valid URL: it must start with http:// or https://")
    return url


def session_from_params(params, secret, concurrency, url=None):
    """The HTTP session of a task, from its connection options (see ``connection_argument_spec``).

    ``secret`` (a password, API key or token) is masked in every message the
    session builds; ``concurrency`` is the backend's default for the option of
    that name; ``url`` overrides ``params["url"]`` when a backend normalises it
    first.
    """
    wanted = params.get("concurrency")
    if wanted is not None and wanted < 1:
        raise ValidationError(f"concurrency must be 1 or more, got {wanted}")
    return HttpSession(
        url or params["url"],
        timeout=params["timeout"],
        validate_certs=params["validate_certs"],
        ca_path=params["ca_path"],
        redactor=Redactor(secret),
        concurrency=wanted or concurrency,
    )


def find_json(text, object_hook=None):
    """Return the first JSON object or array in ``text``, or None.

    Some servers print diagnostics before the JSON in the same body (RAISEPON
    does when SNMP to the OLT fails), so the whole body is not always JSON.
    ``object_hook`` is json's: called with each object decoded, innermost
    first; what it returns stands for the object.
    """
    text = text or ""
    decoder = DECODER if object_hook is None else json.JSONDecoder(object_hook=object_hook)
    for start, char in enumerate(text):
        if char in "{[":
            try:
                return decoder.raw_decode(text, start)[0]
            except ValueError:
                continue
    return None


if urllib3 is not None:

    class SessionRetry(urllib3.util.Retry):
        """urllib3's retry rules; waits go through ``session`` (set on a subclass
        made per :class:`HttpSession`): a ``Retry-After`` pauses every thread of
        the task's pool, and is never longer than MAX_RETRY_AFTER."""

        session = None

        def sleep_for_retry(self, response=None):
            seconds = self.get_retry_after(response) if response is not None else None
            if seconds is None:
                return False
            self.session.pause(min(seconds, MAX_RETRY_AFTER))
            return True

        def _sleep_backoff(self):
            seconds = self.get_backoff_time()
            if seconds > 0:
                self.session.wait(seconds)

    class HandshakeFailed(ssl.SSLError):
        """A TLS handshake that did not complete: nothing of the request was sent."""

    class HandshakeConnection(http_direct.OneWrite, urllib3.connection.HTTPSConnection):
        """urllib3's HTTPS connection, with a failed TLS handshake told apart.

        urllib3 reports a handshake left unanswered as a read timeout (and
        retries it as a read), and other handshake failures as any TLS error,
        which for a write may be a lost answer. Anything ``connect`` raises
        once the TCP connection is open (urllib3's own errors are the TCP
        connection's) comes from the handshake, before the request was sent.
        A refused certificate keeps its own type (see ``_send``).
        """

        def connect(self):
            try:
                super().connect()
            except ssl.SSLCertVerificationError:
                raise
            except OSError as exc:  # TLS errors, and a socket timeout or reset
                raise HandshakeFailed(str(exc) or type(exc).__name__) from exc

    class HandshakePool(urllib3.HTTPSConnectionPool):
        ConnectionCls = HandshakeConnection

    class HandshakeAdapter(requests.adapters.HTTPAdapter):
        """requests' adapter, whose HTTPS connections are :class:`HandshakeConnection`,
        and which works out a server's connection pool once, not per request.

        requests parses the URL and, when ``verify`` names a CA bundle (as
        ``REQUESTS_CA_BUNDLE`` does), asks the file system whether it is a
        folder, on every request: at 20,000 requests a sixth of the module's CPU.
        The answer depends only on the server, ``verify`` and ``cert``. So does
        the pool itself when no proxy is in the way: requests would look for a
        proxy, merge the pool's settings and ask the pool manager for it again
        (a twelfth of a request's CPU); it is kept until the adapter closes.
        """

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pool_keys = {}
            self._direct_pools = {}

        def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
            if proxies:  # (only the proxies for this server: see HttpSession.proxies_of)
                return super().get_connection_with_tls_context(request, verify, proxies, cert)
            key = (server_of(request.url), verify, cert)
            pool = self._direct_pools.get(key)
            # A pool the pool manager has closed (urllib3 2.0 closes the least recently
            # used past pool_connections servers) is asked for again.
            if pool is None or pool.pool is None:
                pool = super().get_connection_with_tls_context(request, verify, proxies, cert)
                # Its TLS settings (``cert_verify``, which asks the file system about the
                # CA bundle) depend only on the key: applied once, before it is kept.
                self.cert_verify(pool, request.url, verify, cert)
                self._direct_pools[key] = pool
            return pool

        def direct_pool(self, request, verify, cert):
            """The pool of a server reached without a proxy, for ``http_direct``, its TLS
            settings applied (see ``get_connection_with_tls_context``)."""
            return self.get_connection_with_tls_context(request, verify, None, cert)

        def close(self):
            self._direct_pools.clear()
            super().close()

        def request_url(self, request, proxies):
            # Without proxies requests sends the URL's path and query (path_url).
            return request.path_url if not proxies else super().request_url(request, proxies)

        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = dict(
                self.poolmanager.pool_classes_by_scheme, http=http_direct.OneWritePool,
                https=HandshakePool)

        def build_connection_pool_key_attributes(self, request, verify, cert=None):
            key = (server_of(request.url), verify, cert)
            if key not in self._pool_keys:
                self._pool_keys[key] = super().build_connection_pool_key_attributes(
                    request, verify, cert)
            host_params, pool_kwargs = self._pool_keys[key]
            return dict(host_params), dict(pool_kwargs)

    class TaskSession(requests.Session):
        """requests' session for one task: its settings worked out once, not per request.

        ``Session.request`` merges, for every request, the call's settings with
        the session's (headers, cookies, auth, hooks) and with the environment's
        (proxies, CA bundle, ~/.netrc): a copy of the cookie jar, a dozen mapping
        checks, at two requests a record a sixth of the module's CPU. Within a
        task none of it changes, and no call of this collection sets cookies,
        auth, proxies or TLS options of its own: ``request`` prepares as
        requests' own ``PreparedRequest.prepare`` does (the session's cookie jar
        as it is, URL credentials as basic auth; what depends only on the method,
        the URL and the headers once, see ``http_request``) and sends with the session's
        settings. To a server without a proxy it sends straight through the
        adapter's urllib3 pool (``http_direct``: urllib3's retries, the same
        errors), keeps the cookies an answer sets, and leaves a redirect to
        requests; through a proxy, or with response hooks, requests' own
        ``send`` does it all. ``trust_env`` is off, and redirects still take
        the proxies (and NO_PROXY) of the URL they lead to, read once per server
        by ``proxies_of``: with ``trust_env`` off, requests would keep the
        proxies of the first URL for a redirect to another host."""

        def __init__(self, proxies_of):
            super().__init__()
            self.trust_env = False
            self.proxies_of = proxies_of
            self.templates = Templates(self.headers)

        def request(self, method, url, params=None, data=None, headers=None, json=None,
                    timeout=None, allow_redirects=True, **others):
            if others:  # a setting of its own (auth, cookies, files, ...): requests' way
                return super().request(method, url, params=params, data=data, headers=headers,
                                       json=json, timeout=timeout,
                                       allow_redirects=allow_redirects, **others)
            prepared = self.templates.prepared(
                method.upper(), url, headers, params=params, data=data, json=json,
                cookies=self.cookies, hooks=self.hooks)
            adapter = self.get_adapter(prepared.url)
            # A proxy for this URL, as the adapter would choose one (NO_PROXY alone, or
            # HTTPS_PROXY alone for an http:// URL, gives proxies but no proxy).
            if ((self.proxies and requests.utils.select_proxy(prepared.url, self.proxies))
                    or self.stream or self.hooks.get("response")
                    or not isinstance(adapter, HandshakeAdapter)):
                return self.send(prepared, timeout=timeout, allow_redirects=allow_redirects,
                                 proxies=self.proxies, stream=self.stream, verify=self.verify,
                                 cert=self.cert)
            response = http_direct.send(adapter, prepared, self.verify, self.cert, timeout)
            # What Session.send does besides sending, where the answer calls for it.
            if http_direct.sets_cookies(response.raw):
                requests.cookies.extract_cookies_to_jar(self.cookies, prepared, response.raw)
            if response.is_redirect:
                return self.redirected(response, prepared, allow_redirects, timeout)
            return response

        def redirected(self, response, prepared, allow_redirects, timeout):
            """What ``Session.send`` makes of a redirect: followed (the answer the last
            request got, the others its history), or told as ``next``."""
            settings = dict(timeout=timeout, verify=self.verify, cert=self.cert,
                            proxies=self.proxies, stream=False)
            if not allow_redirects:
                response._next = next(  # pylint: disable=protected-access
                    self.resolve_redirects(response, prepared, yield_requests=True, **settings),
                    None)
                return response
            history = list(self.resolve_redirects(response, prepared, **settings))
            if history:
                history.insert(0, response)
                response = history.pop()
                response.history = history
            return response

        def rebuild_proxies(self, prepared_request, proxies):
            return super().rebuild_proxies(prepared_request,
                                           self.proxies_of(prepared_request.url))


def server_of(url):
    """``scheme://host:port`` of an absolute URL: what its connection and proxies depend on."""
    return "/".join(url.split("/", 3)[:3]).lower()


class HttpSession:
    """A ``requests.Session`` wrapped with this collection's retry and secrecy rules."""

    def __init__(
        self,
        base_url,
        timeout=30.0,
        validate_certs=True,
        ca_path=None,
        retries=3,
        backoff=0.5,
        redactor=None,
        sleep=time.sleep,
        concurrency=1,
        clock=time.monotonic,
    ):
        if requests is None:
            raise BackendUnavailable("the Python library 'requests' is required")
        self.redact = redactor or Redactor()
        checked_url(base_url, self.redact)
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        # connect timeout short, read timeout as the user asked
        self.timeout = (min(10.0, float(timeout)), float(timeout))
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._clock = clock
        self.concurrency = max(1, int(concurrency))
        # When the whole session may send again (a Retry-After pauses every thread).
        self._resume_at = 0.0
        self._pause_lock = threading.Lock()
        self.verify = (ca_path or True) if validate_certs else False
        # requests reads the environment again for every request (``trust_env``):
        # proxies, REQUESTS_CA_BUNDLE, ~/.netrc - a scan of os.environ and three
        # file lookups, at 10,000 records a fifth of the module's own CPU time.
        # The sessions read it once, here; ~/.netrc not at all, as every backend
        # has its own credentials.
        self._proxies_by_server = {}
        self.proxies = self.proxies_of(self.base_url)
        self.ca_bundle = self.verify if self.verify is not True else (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True)
        retry = type("SessionRetry", (SessionRetry,), {"session": self})
        # Reads: sent again after any failure to answer. Writes: after a refused
        # connection or a 429 only; a lost answer raises at once (read=False), for
        # the caller to read back.
        self.session = self._session(retry, READ_RETRY_STATUSES, retries)
        self.write_session = self._session(retry, WRITE_RETRY_STATUSES, False)
        if not validate_certs:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    def _session(self, retry, statuses, read):
        session = TaskSession(self.proxies_of)
        rules = retry(total=self.retries, connect=self.retries, read=read, status=self.retries,
                      other=0, redirect=False, allowed_methods=None, status_forcelist=statuses,
                      backoff_factor=self.backoff, respect_retry_after_header=True,
                      raise_on_status=False, raise_on_redirect=False)
        # One kept-alive connection per thread of the pool, not the default ten.
        adapter = HandshakeAdapter(pool_maxsize=max(10, self.concurrency), max_retries=rules)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = "isp.provisioning-ansible"
        session.proxies = dict(self.proxies)
        # (the CA bundle of the environment only where certificates are checked:
        # with trust_env, REQUESTS_CA_BUNDLE overrode validate_certs=false, requests
        # issue 3829)
        session.verify = self.ca_bundle
        return session

    def proxies_of(self, url):
        """The environment's proxies for ``url`` (none where NO_PROXY names its host),
        read once per server."""
        server = server_of(url)
        if server not in self._proxies_by_server:
            self._proxies_by_server[server] = requests.utils.get_environ_proxies(url)
        return dict(self._proxies_by_server[server])

    def url(self, path):
        return self.base_url + path.lstrip("/")

    def request(self, method, path, idempotent, **kwargs):
        """Send one request, retrying only where that is safe (see module docstring).

        Returns the ``requests.Response`` whatever its status: reading the
        status and the body is the backend client's job.
        """
        url = self.url(path)
        session = self.session if idempotent else self.write_session
        self._wait_turn()
        # urllib3's retries end where the answer's headers arrive: a body cut
        # short or garbled after them is a read sent again here.
        attempts = self.retries + 1 if idempotent else 1
        for attempt in range(1, attempts + 1):
            try:
                return self._send(session, method, url, idempotent, **kwargs)
            except (requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError) as exc:
                what = self._what(method, url)
                if not idempotent:
                    raise AnswerLost(f"{what}: the answer was lost: {self._cause(exc)}")
                if attempt == attempts:
                    raise BackendUnavailable(f"{what}: no answer: {self._cause(exc)}")
                self.wait(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, session, method, url, idempotent, **kwargs):
        try:
            return session.request(method, url, timeout=self.timeout, **kwargs)
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
            raise
        except (requests.exceptions.RequestException, ValueError) as exc:
            raise self._failure(exc, self._what(method, url), idempotent)

    def _what(self, method, url):
        """A request as a message names it (masked: UserSide's key is in its URL);
        built only for a message, not for every request."""
        return "%s %s" % (method, self.redact(url))

    def _failure(self, exc, what, idempotent):
        """The error for a request requests could not complete (see module docstring)."""
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return BackendUnavailable(f"{what}: cannot connect: {self._cause(exc)}")
        if isinstance(exc, requests.exceptions.SSLError):
            handshake = _cause_of(exc, HandshakeFailed)
            if handshake is not None:
                return BackendUnavailable(
                    "%s: TLS handshake failed - is the server speaking https on this port? "
                    "(check url, validate_certs and ca_path): %s"
                    % (what, self.redact(handshake.args[0])))
            message = "%s: TLS error (check validate_certs and ca_path): %s" % (
                what, self.redact(exc))
            # A certificate refused ends the handshake, before anything is sent;
            # any other TLS failure may come after the write was sent.
            if idempotent or _cause_of(exc, ssl.SSLCertVerificationError) is not None:
                return BackendUnavailable(message)
            return AnswerLost(message)
        if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
            if not self._reached_server(exc):
                return BackendUnavailable(f"{what}: cannot connect: {self._cause(exc)}")
            if idempotent:
                return BackendUnavailable(f"{what}: no answer: {self._cause(exc)}")
            return AnswerLost(
                "%s: the answer was lost: %s" % (what, self._cause(exc)),
                timed_out=isinstance(exc, requests.exceptions.Timeout),
            )
        # A request that cannot be built (a malformed URL, a header that is not
        # latin-1, a body JSON cannot hold): raised before anything was sent,
        # and so for every request of the task.
        return BackendUnavailable(f"{what}: the request cannot be sent: {self.redact(exc)}")

    def wait(self, seconds):
        self._sleep(seconds)

    def pause(self, seconds):
        """Wait ``seconds``, and hold every other request of the session (every
        thread of the task's pool) until then too."""
        with self._pause_lock:
            self._resume_at = max(self._resume_at, self._clock() + seconds)
        self._sleep(seconds)

    def _wait_turn(self):
        """Before a new request: wait out a pause another thread was told to make."""
        with self._pause_lock:
            delay = self._resume_at - self._clock()
        if delay > 0:
            self._sleep(delay)

    def excerpt(self, text, limit=200):
        """The start of a server's answer, for a message: secrets masked first, then cut.

        Cutting first could split a secret that the server echoed, and a
        partial secret no longer matches the mask.
        """
        text = self.redact(text or "")
        return text if len(text) <= limit else text[:limit] + "..."

    def _cause(self, exc):
        """The useful end of a requests exception ("[Errno 111] Connection refused")."""
        text = str(exc)
        start = text.rfind("[Errno")
        if start >= 0:
            text = text[start:].rstrip("')\"")
        return self.redact(text)

    @staticmethod
    def _reached_server(exc):
        """True when the request may have reached the server (so a write may have happened).

        Told by the exception's type, never its text (which the resolver and
        the OS word as they like): requests wraps urllib3's error, and
        urllib3's MaxRetryError holds the cause as ``reason``. Only a
        connection that was never opened - NewConnectionError, which
        NameResolutionError and a refused connection are - proves nothing was
        sent; anything else may have reached the server.
        """
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return False
        cause = exc.args[0] if exc.args else None
        cause = getattr(cause, "reason", cause)
        return not isinstance(cause, urllib3.exceptions.NewConnectionError)

    def close(self):
        self.session.close()
        self.write_session.close()


def _cause_of(exc, kind):
    """The error of type ``kind`` that a requests error wraps, or None (told by type:
    requests and urllib3 nest the cause as ``reason`` or first argument)."""
    seen, error = set(), exc
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return error
        seen.add(id(error))
        nested = getattr(error, "reason", None) or (error.args[0] if error.args else None)
        error = nested if isinstance(nested, BaseException) else error.__cause__
    return None
