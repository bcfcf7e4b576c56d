"""The SOAP side of the SIMPLer emulator: read a SOAP::Lite-style call, write its answer.

What travels, as SOAP::Lite 1.27 puts it on the wire (CONTRACTS §3):

* request: ``<soap:Body><method xmlns="http://host/OperatorAPI">`` whose
  children are the named parameters, with or without ``xsi:type``, in the
  method's namespace (SOAP::Lite) or in none (zeep, PHP): both are read;
* response: ``<methodResponse xmlns="...">`` with one child whose name is
  generated (``s-gensym<N>``) and whose text is the result;
* fault: ``soap:Fault`` with ``faultcode`` ``soap:Client`` and SOAP::Lite's
  own ``faultstring`` texts (malformed XML, unknown method, wrong class).
"""

from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CLASS = "OperatorAPI"

ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<soap:Envelope xmlns:xsi="%s" '
    'xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
    'soap:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" '
    'xmlns:soap="%s"><soap:Body>%%s</soap:Body></soap:Envelope>' % (XSI, SOAP_ENV)
)


class SoapFault(Exception):
    """A request the SOAP layer refuses before any function runs."""

    def __init__(self, faultstring, faultcode="soap:Client"):
        super().__init__(faultstring)
        self.faultstring = faultstring
        self.faultcode = faultcode


class SoapCall:
    def __init__(self, method, namespace, params):
        self.method = method
        self.namespace = namespace
        self.params = params


def local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_call(data, known_methods):
    """The method, its namespace and its parameters (name -> text or None)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data or b"", parser)
    except etree.XMLSyntaxError as exc:
        raise SoapFault("Application failed during request deserialization: %s" % exc)
    body = root.find("{%s}Body" % SOAP_ENV) if local(root.tag) == "Envelope" else None
    calls = [child for child in body if isinstance(child.tag, str)] if body is not None else []
    if not calls:
        raise SoapFault("Application failed during request deserialization: no SOAP body")
    element = calls[0]
    namespace = etree.QName(element).namespace or ""
    method = local(element.tag)
    klass = urlsplit(namespace).path.strip("/")
    if klass != CLASS:
        # SOAP::Lite dispatches on the namespace's path: it names the Perl class.
        raise SoapFault("Denied access to method (%s) in class (%s) at "
                        "/usr/share/perl5/SOAP/Lite.pm line 2850." % (method, klass or "main"))
    if method not in known_methods:
        raise SoapFault("Failed to locate method (%s) in class (%s) at "
                        "/usr/share/perl5/SOAP/Lite.pm line 2850." % (method, CLASS))
    params = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.get("{%s}nil" % XSI) in ("true", "1"):
            params[local(child.tag)] = None
        else:
            params[local(child.tag)] = "".join(child.itertext())
    return SoapCall(method, namespace, params)


class Gensym:
    """SOAP::Lite names each anonymous result element ``s-gensym<N>``, N counting up."""

    def __init__(self):
        self.serial = 0

    def __call__(self):
        self.serial += 1
        return "s-gensym%d" % self.serial


def response(call, text, gensym):
    """``<methodResponse>`` holding the result string in one generated element."""
    name = gensym()
    return ENVELOPE % (
        '<%sResponse xmlns="%s"><%s xsi:type="xsd:string">%s</%s></%sResponse>'
        % (call.method, escape(call.namespace), name, escape(text), name, call.method)
    )


def fault(exc):
    return ENVELOPE % (
        "<soap:Fault><faultcode>%s</faultcode><faultstring>%s</faultstring></soap:Fault>"
        % (escape(exc.faultcode), escape(exc.faultstring))
    )


# --- structured results: SIMPLer answers them as XML text (XML::Simple output) ------
def _elements(tag, value, attrs=""):
    if isinstance(value, dict):
        inner = "".join(_elements(k, v) for k, v in value.items())
        return "<%s%s>%s</%s>" % (tag, attrs, inner, tag)
    if isinstance(value, list):
        return "".join(_elements(tag, item) for item in value)
    return "<%s%s>%s</%s>" % (tag, attrs, escape("" if value is None else str(value)), tag)


def structured_xml(method, result):
    """The XML document text the real server answers for a structured result."""
    if method == "searchCustomer":
        records = "".join(
            _elements("customer", record, ' id="%s"' % escape(str(record["customerid"])))
            for record in result["customer"]
        )
        rest = "".join(_elements(k, result[k]) for k in ("limit", "offset", "order", "results"))
        return "<customerSearchRoot>%s%s%s</customerSearchRoot>" % (
            _elements("case_sensitive", result["case_sensitive"]), records, rest)
    if method == "getCustomerStatuses":
        return "<customerStatusesRoot>%s</customerStatusesRoot>" % _elements("array", result)
    if method == "listEquipment":
        # As the seed prints it: one element per equipment named after its id
        # (not well-formed XML; a client must cope).
        return "<Equipment>%s</Equipment>" % "".join(
            _elements(str(item["id"]), item) for item in result["equipment"])
    if method == "getCustomerData":
        inner = _elements("customer", result["customer"])
        if "customFields" in result:
            inner += "<customFields>%s</customFields>" % "".join(
                _elements("field", {"name": f["name"], "value": f["value"]},
                          ' id="%s"' % escape(f["id"]))
                for f in result["customFields"])
        return "<customerDataRoot>%s</customerDataRoot>" % inner
    return _elements(method + "Root", result)
