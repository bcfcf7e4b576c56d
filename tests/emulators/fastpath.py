"""The hot read routes served without Flask's dispatch, answering exactly as through it.

A no-op run against SIMPLer's customers or UserSide sends two reads per record
(a search, then the record): 800,000 requests at 200,000 records. Flask's part
of each - its contexts, URL map, hooks and response finishing - cost about as
much CPU as the answer itself. A route registered ``fast``
(:meth:`~tests.emulators.core.Emulator.route`) is a read whose view reads the
request through ``Emulator.request``, never through Flask's globals; this
WSGI callable, in front of Flask's, calls that same view itself, with the same
counting and faults (``Emulator.admit``), the same request and response
classes (the request's body read as Flask reads it) and the same service
times. Whatever it cannot answer as Flask would - another method (HEAD,
OPTIONS), a path under a script name, a write (UserSide's one URL serves both)
- goes to Flask as it came.
"""

import time

from werkzeug.exceptions import InternalServerError
from werkzeug.wrappers import Response

# The headers of an answer that werkzeug's finishing (Response.__call__) sends as
# they are, when its body is known and its status has one (see FastPath.finish).
PLAIN_HEADERS = frozenset(("content-type", "content-length", "retry-after"))


class FastPath:
    def __init__(self, emulator, flask_wsgi):
        self.emulator = emulator
        self.flask_wsgi = flask_wsgi
        # (method, path) -> (view, Flask endpoint) of every fast route
        self.routes = {}

    def add(self, methods, rule, view, endpoint):
        for method in methods:
            self.routes[(method, rule)] = (view, endpoint)

    def __call__(self, environ, start_response):
        route = self.routes.get((environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")))
        if route is None or environ.get("SCRIPT_NAME"):
            return self.flask_wsgi(environ, start_response)
        clock = time.perf_counter(), time.thread_time()
        emulator = self.emulator
        view, endpoint = route
        request = emulator.serve(emulator.app.request_class(environ))
        kind, counter = emulator.classify(request, endpoint)
        if kind != "read":
            return self.flask_wsgi(environ, start_response)
        response = emulator.admit(kind, counter) or self.answer(view, request)
        emulator.times.record(counter, time.perf_counter() - clock[0],
                              time.thread_time() - clock[1])
        return self.finish(response, environ, start_response)

    @staticmethod
    def finish(response, environ, start_response):
        """Send ``response`` as werkzeug's ``Response.__call__`` does, without its copies
        and checks when it would send the response's own status, headers and body
        as they are: a body held whole (its length in its headers), a status that
        has one, no location to make absolute (a read's answer, as a rule)."""
        if isinstance(response, Response) and response.is_sequence:
            status = response.status_code
            headers = response.headers.to_wsgi_list()
            names = {name.lower() for name, _value in headers}
            if ("content-length" in names and names <= PLAIN_HEADERS
                    and status >= 200 and status not in (204, 304)):
                start_response(response.status, headers)
                return response.response
        return response(environ, start_response)

    def answer(self, view, request):
        """The view's response; a failure answered and logged as Flask does."""
        try:
            return view()
        except Exception:  # noqa: BLE001 - Flask's own 500 answer, as it gives it
            self.emulator.app.logger.exception(
                "Exception on %s [%s]", request.path, request.method)
            return InternalServerError()
