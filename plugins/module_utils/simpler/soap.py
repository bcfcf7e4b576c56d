# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""SIMPLer's SOAP transport: zeep builds the call, the shared HTTP session sends it.

zeep is imported here only, and this file is imported only when a task asks
for ``transport: soap`` (importing zeep costs 0.4 s per task).

The answer is read by hand, as SOAP::Lite writes it: the result is the one
child of ``<function>Response``, whatever its (generated) name. Query
functions answer XML, either as child elements or as XML text inside that
child; both are turned into plain dicts and lists here.
"""

from __future__ import annotations

import io
import re

from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    BackendError,
    BackendUnavailable,
)
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.wsdl import (
    AUTH,
    FUNCTIONS,
    wsdl,
)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
# The seed's listEquipment XML names elements after ids (<1>...</1>): not XML.
NUMERIC_TAG = re.compile(r"<(/?)(\d[\w.-]*)(\s*/?)>")


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def xml_to_data(element):
    """XML::Simple's view of an element: text, or a dict (repeated names become lists)."""
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        text = element.text or ""
        if element.attrib:
            return dict(element.attrib, content=text) if text.strip() else dict(element.attrib)
        return text
    data = {_local(k): v for k, v in element.attrib.items()}
    for child in children:
        name = _local(child.tag)
        if name.startswith("item_") and name[5:].isdigit() and "id" not in data:
            name = name[5:]
        value = xml_to_data(child)
        if name in data:
            if not isinstance(data[name], list):
                data[name] = [data[name]]
            data[name].append(value)
        else:
            data[name] = value
    return data


def parse_xml_text(text, etree):
    fixed = NUMERIC_TAG.sub(lambda m: "<%sitem_%s%s>" % m.groups(), text)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    root = etree.fromstring(fixed.encode("utf-8"), parser)
    if root is None:
        raise BackendError("the SOAP answer holds XML that cannot be read")
    return xml_to_data(root)


class SoapTransport:
    def __init__(self, http, namespace, path):
        try:
            import zeep
            from lxml import etree
        except ImportError:
            raise BackendError(
                "transport: soap needs the Python library zeep (pip install zeep) on the host "
                "that runs the module; or use transport: rest"
            )
        self.etree = etree
        self.http = http
        self.path = path
        self.namespace = namespace
        # What zeep and lxml raise for what XML cannot hold (lxml: ValueError for a
        # control character or a bad element name; zeep: its own errors).
        self.unwritable = (ValueError, TypeError, zeep.exceptions.Error, etree.LxmlError)
        location = http.url(path)
        document = io.BytesIO(wsdl(namespace, location).encode("utf-8"))
        try:
            self.client = zeep.Client(document, transport=zeep.Transport(session=http.session))
        except self.unwritable as exc:
            raise BackendUnavailable(
                "SIMPLer over SOAP: no SOAP client for url, soap_path and soap_namespace: %s"
                % http.excerpt(str(exc)))

    def call(self, function, params, idempotent):
        """Send one call; return its result: a string, or dicts and lists for XML answers."""
        if function not in FUNCTIONS:  # pragma: no cover - a programming error
            raise ValueError(function)
        response = self.http.request(
            "POST",
            self.path,
            idempotent=idempotent,
            data=self.envelope(function, params),
            headers={
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPAction": f'"{self.namespace}#{function}"',
            },
        )
        return self.read_answer(function, response.status_code, response.content)

    def envelope(self, function, params):
        """The call's SOAP envelope, as bytes; BackendError when XML cannot hold a value
        (the entity specs refuse such values before any write: this is the last guard)."""
        try:
            declared, extra = self._split(function, params)
            envelope = self.client.create_message(self.client.service, function, **declared)
            if extra:
                envelope.find(".//{%s}%s" % (self.namespace, function)).extend(extra)
            return self.etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
        except self.unwritable as exc:
            raise BackendError("SIMPLer %s: the SOAP request cannot be written: %s"
                               % (function, self.http.excerpt(str(exc))))

    def _split(self, function, params):
        """Declared parameters go through zeep; custom_field_* are added as they are."""
        known = {*AUTH, *FUNCTIONS[function]}
        declared, extra = {}, []
        for name, value in params.items():
            if name in known:
                declared[name] = value
            else:
                element = self.etree.Element(name)
                element.text = value
                extra.append(element)
        return declared, extra

    def read_answer(self, function, status, content):
        parser = self.etree.XMLParser(resolve_entities=False, no_network=True)
        try:
            root = self.etree.fromstring(content, parser)
        except self.etree.XMLSyntaxError:
            text = content.decode("utf-8", "replace").strip()
            raise BackendError(
                "SIMPLer %s answered HTTP %s without a SOAP envelope: %s"
                % (function, status, self.http.excerpt(" ".join(text.split()), 300)
                   or "empty answer"),
                status,
            )
        body = root.find("{%s}Body" % SOAP_ENV)
        answer = [c for c in body if isinstance(c.tag, str)] if body is not None else []
        if not answer:
            raise BackendError(f"SIMPLer {function} answered an empty SOAP body", status)
        if _local(answer[0].tag) == "Fault":
            fault = answer[0]
            raise BackendError(
                "SIMPLer %s: SOAP fault %s: %s"
                % (
                    function,
                    self.http.excerpt((fault.findtext("faultcode") or "").strip(), 80),
                    self.http.excerpt(" ".join((fault.findtext("faultstring") or "").split()),
                                      300),
                ),
                status,
            )
        results = [c for c in answer[0] if isinstance(c.tag, str)]
        if not results:
            return ""
        result = results[0]
        if [c for c in result if isinstance(c.tag, str)]:
            return xml_to_data(result)
        text = result.text or ""
        if text.lstrip().startswith("<"):
            try:
                return parse_xml_text(text.strip(), self.etree)
            except BackendError as exc:
                raise BackendError(
                    f"SIMPLer {function}: {exc}: {self.http.excerpt(text.strip())}", status)
        return text
