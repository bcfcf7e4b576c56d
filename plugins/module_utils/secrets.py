# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Keep secrets out of every text this collection builds.

Ansible masks ``no_log`` option values in a module's output, but not values a
module learns at run time (a JWT) nor secrets that a library echoes back in an
exception (a URL with ``key=`` in its query string). Every message the HTTP
layer builds goes through a :class:`Redactor` first.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, quote_plus

MASK = "********"

# Secrets that travel in a URL query string or a form body under these names.
_SECRET_PARAM = re.compile(
    r"(?i)\b(key|api_key|apikey|api_token|api_password|password|jwt|token)=([^&\s'\"]+)"
)
# A JSON Web Token looks like this wherever it appears.
_JWT_SHAPE = re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]*")


# The quotes in XML, as serialisers write them: as they are (lxml, in text),
# named, decimal or hexadecimal references (PHP's htmlspecialchars: &#039;).
_XML_QUOTES = (('"', "'"), ("&quot;", "&apos;"), ("&#34;", "&#39;"), ("&#x22;", "&#x27;"),
               ("&quot;", "&#039;"))
# JSON escapes that HTML-safe encoders (Go, Rails) add.
_JSON_HTML_SAFE = {"&": "\\u0026", "<": "\\u003c", ">": "\\u003e", "'": "\\u0027"}


def wire_forms(secret):
    """Every form ``secret`` can take in a request or an echo of it.

    A server that echoes the body echoes it encoded: in JSON (escaped quotes
    and backslashes, non-ASCII as \\u00e9 or raw, PHP's \\/, HTML-safe
    \\u0026), in a form or a query string (percent-encoded, in either case of
    hex, PHP's %7E), in XML (&amp;, &#233;, &#xe9;); a message that shows a
    parsed answer shows Python's repr of it, or the JSON of a JSON body; and
    messages collapse runs of spaces. Masking only the raw text would print
    each of those in full.
    """
    forms = set()
    for text in (secret, " ".join(secret.split())):
        forms |= _encodings(text)
    return forms


def _encodings(secret):
    json_forms = set()
    for ascii_only in (True, False):
        escaped = json.dumps(secret, ensure_ascii=ascii_only)[1:-1]
        json_forms |= {escaped, escaped.replace("/", "\\/"),
                       re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), escaped),
                       "".join(_JSON_HTML_SAFE.get(char, char) for char in escaped)}
    nested = {json.dumps(form)[1:-1] for form in json_forms} | {repr(form)[1:-1] for form in json_forms}
    percent = {quote_plus(secret), quote(secret, safe=""), quote(secret), quote(secret, safe="~")}
    percent |= {form.replace("~", "%7E") for form in percent}
    percent |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), form) for form in percent}
    return {secret, repr(secret)[1:-1]} | json_forms | nested | percent | _xml_forms(secret)


def _xml_forms(secret):
    forms = set()
    text = secret.replace("&", "&amp;").replace("<", "&lt;")
    for angle in (text, text.replace(">", "&gt;")):
        for double, single in _XML_QUOTES:
            escaped = angle.replace('"', double).replace("'", single)
            forms |= {escaped, escaped.encode("ascii", "xmlcharrefreplace").decode("ascii"),
                      "".join(char if ord(char) < 128 else "&#x%x;" % ord(char) for char in escaped),
                      escaped.replace("\r", "&#xd;").replace("\n", "&#xa;")}
    return forms


class Redactor:
    """Replaces known secret values, and secret-shaped text, with a mask."""

    def __init__(self, *secrets):
        self._secrets = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret):
        """Remember a secret learnt at run time (a password, a token)."""
        if secret is not None and len(str(secret)) >= 3:
            self._secrets.update(wire_forms(str(secret)))

    def __call__(self, text):
        text = str(text)
        # Longest first, so that a secret containing another is masked whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        text = _SECRET_PARAM.sub(lambda m: "%s=%s" % (m.group(1), MASK), text)
        return _JWT_SHAPE.sub(MASK, text)
