import json
import re
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape as xml_escape

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.secrets import MASK, Redactor


def test_known_secrets_and_secret_shapes_are_masked():
    redact = Redactor("s3cr3t-pass")
    text = redact(
        "GET https://erp/api.php?key=ABCDEF123&cat=customer failed for s3cr3t-pass with "
        "token eyJhbGciOiJIUzI1NiJ9.eyJkYXRhIjp7fX0.c2lnbmF0dXJl and api_token=XYZ789"
    )
    assert "s3cr3t-pass" not in text
    assert "ABCDEF123" not in text
    assert "eyJhbGci" not in text
    assert "XYZ789" not in text
    assert "key=%s&cat=customer" % MASK in text


def test_secrets_learnt_later_are_masked_too():
    redact = Redactor()
    redact.add("runtime-token")
    assert redact("x runtime-token y") == "x %s y" % MASK


def test_short_values_are_not_treated_as_secrets():
    # a one- or two-character "secret" would mask ordinary text everywhere
    assert Redactor("ab")("about") == "about"


SPECIAL = "p\"a\\ss&<w>ö'rd/é 1+2"


@pytest.mark.parametrize("form", [
    SPECIAL,
    json.dumps(SPECIAL)[1:-1],                               # JSON, non-ASCII as \u00f6
    json.dumps(SPECIAL, ensure_ascii=False)[1:-1],           # JSON, non-ASCII as it is
    json.dumps(SPECIAL)[1:-1].replace("/", "\\/"),           # PHP's json_encode
    json.dumps(SPECIAL)[1:-1].replace("u00f6", "u00F6").replace("u00e9", "u00E9"),  # hex in capitals
    quote_plus(SPECIAL),                                     # a form body
    quote(SPECIAL, safe=""),                                 # a query string
    repr(SPECIAL)[1:-1],                                     # a parsed answer in a message
    xml_escape(SPECIAL),                                     # XML text, as lxml writes it
    xml_escape(SPECIAL, {'"': "&quot;", "'": "&apos;"}),     # XML attribute
    xml_escape(SPECIAL, {'"': "&#34;", "'": "&#39;"}).encode("ascii", "xmlcharrefreplace").decode(),
    xml_escape(SPECIAL, {'"': "&quot;", "'": "&#039;"}).replace("ö", "&#xf6;").replace("é", "&#xe9;"),
    json.dumps(SPECIAL)[1:-1].replace("&", "\\u0026").replace("<", "\\u003c")
    .replace(">", "\\u003e").replace("'", "\\u0027"),                 # Go's, Rails' JSON
    json.dumps(json.dumps(SPECIAL)[1:-1])[1:-1],             # a JSON body shown in JSON
    re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(),   # PHP urlencode, lower-case hex
           quote_plus(SPECIAL + "~").replace("~", "%7E")),
    " ".join((SPECIAL + "\t 2").split()),                   # a message collapses spaces
], ids=["raw", "json", "json-utf8", "php-json", "json-upper", "form", "query", "repr",
        "xml-text", "xml-attribute", "xml-ascii", "php-html", "json-html-safe", "json-in-json",
        "php-urlencode", "collapsed"])
def test_a_secret_is_masked_in_every_encoding_an_echoed_body_gives_it(form):
    secret = SPECIAL + "~" if form.endswith("%7e") else SPECIAL + "\t 2" if form.endswith(" 2") \
        else SPECIAL
    text = Redactor(secret)("the server said: bad password <%s> for user" % form)
    assert text == "the server said: bad password <%s> for user" % MASK
