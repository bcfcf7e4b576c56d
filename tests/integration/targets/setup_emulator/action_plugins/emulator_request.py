# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One HTTP request to an emulator, made by the controller: emulator_request.

The targets talk to an emulator's control API (/_emulator/...) before and
after nearly every module they test. Through ansible.builtin.uri each such
call is a module invocation (about 0.5 s here: AnsiballZ, imports); through
this action plugin it takes a few milliseconds. The emulators run beside the
controller (tasks.py integration starts them), so nothing runs on a host.
Any task file of this role may use it; other targets include those files.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from ansible.plugins.action import ActionBase

METHODS = ("GET", "PUT", "POST", "DELETE")


class ActionModule(ActionBase):
    """emulator_request: url, method (GET), body (JSON, optional) -> status, json (or None)."""

    _VALID_ARGS = frozenset(("url", "method", "body"))
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        url, method = args.get("url"), str(args.get("method", "GET")).upper()
        if not url or method not in METHODS:
            return dict(result, failed=True, msg="emulator_request needs a url and a method"
                        " of %s" % ", ".join(METHODS))
        data = None if args.get("body") is None else json.dumps(args["body"]).encode()
        request = urllib.request.Request(url, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, text = answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return dict(result, failed=True, status=error.code,
                        msg="%s %s: HTTP %d %s" % (method, url, error.code, error.read()[:300]))
        except OSError as error:
            return dict(result, failed=True, msg="%s %s: %s" % (method, url, error))
        try:
            answer_json = json.loads(text) if text.strip() else None
        except ValueError:
            answer_json = None
        return dict(result, changed=False, status=status, json=answer_json)
