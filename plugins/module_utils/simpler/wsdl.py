# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""The WSDL of the SIMPLer functions this collection calls (the server publishes none).

zeep needs a WSDL to build a call. This one is written for the wire SIMPLer's
SOAP::Lite server expects: the call element is named after the function, in
the ``.../OperatorAPI`` namespace, and holds one unqualified element per named
parameter. Each function declares its documented parameters plus an
``xsd:any`` for the ``custom_field_<id>`` ones, whose names vary per operator.
It lives in a Python file because only Python files travel with a module.

The parameter lists are the vendor's, not the entity fields' write names: a
function takes parameters no field declares (``customer_tracking``, ``fax``,
``parent``, ``equipid``, paging), zeep writes the elements in the order listed
here, and the wire layer does not import the entities that sit above it.
tests/unit/.../simpler/test_wsdl.py holds every write name of the specs to
these lists.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

AUTH = ("api_username", "api_password", "operator")
CUSTOMER = (
    "customerid", "name", "nickname", "invoicingid", "init_date", "startdate",
    "customerstatus", "customer_tracking", "installdate", "frequency", "address", "iaddress",
    "country", "type", "phone_list_main", "fax", "email", "accounts_email", "support_email",
    "website", "note", "payment_method", "send_method",
)
EQUIPMENT = (
    "equipid", "nickname", "ipaddress", "description", "serialnumber", "mac", "status",
    "parent", "type", "imsi", "ki", "opcode", "msisdn", "sqn",
)
SEARCH = (
    "customerid", "firstname", "lastname", "nickname", "invoicingid", "email", "phone",
    "customerstatus", "street1", "street2", "city", "county", "postcode", "state", "country",
    "limit", "offset", "case_sensitive", "order",
)
# function -> its parameters besides the credentials
FUNCTIONS = {
    "pingAPI": (),
    "addCustomer": CUSTOMER[1:],
    "modifyCustomer": CUSTOMER,
    "deleteCustomer": ("customerid",),
    "searchCustomer": SEARCH,
    "getCustomerData": ("customerid", "customFields"),
    "getCustomerStatuses": (),
    "listEquipment": ("id", "type", "ipaddress", "nickname", "macaddress"),
    "addEquipment": EQUIPMENT[1:],
    "modifyEquipment": EQUIPMENT[:9],
}
EXTENSIBLE = ("addCustomer", "modifyCustomer", "addEquipment", "modifyEquipment")


def _request_element(function, parameters):
    elements = "".join(
        '<xsd:element name="%s" type="xsd:string" minOccurs="0"/>' % name
        for name in AUTH + tuple(parameters)
    )
    if function in EXTENSIBLE:
        elements += '<xsd:any minOccurs="0" maxOccurs="unbounded" processContents="lax"/>'
    return '<xsd:element name="%s"><xsd:complexType><xsd:sequence>%s</xsd:sequence>' \
           "</xsd:complexType></xsd:element>" % (function, elements)


def wsdl(namespace, location):
    """The WSDL text, for the server's namespace and the endpoint the user names."""
    ns, loc = quoteattr(namespace), quoteattr(location)
    types = "".join(_request_element(f, p) for f, p in FUNCTIONS.items())
    # The answer's one element has a generated name: read it as anything.
    types += (
        '<xsd:element name="anyResponse"><xsd:complexType><xsd:sequence>'
        '<xsd:any minOccurs="0" maxOccurs="unbounded" processContents="skip"/>'
        "</xsd:sequence></xsd:complexType></xsd:element>"
    )
    messages = "".join(
        '<wsdl:message name="%sRequest"><wsdl:part name="parameters" element="tns:%s"/>'
        "</wsdl:message>" % (f, f)
        for f in FUNCTIONS
    )
    messages += (
        '<wsdl:message name="anyResponse"><wsdl:part name="parameters" '
        'element="tns:anyResponse"/></wsdl:message>'
    )
    port = "".join(
        '<wsdl:operation name="%s"><wsdl:input message="tns:%sRequest"/>'
        '<wsdl:output message="tns:anyResponse"/></wsdl:operation>' % (f, f)
        for f in FUNCTIONS
    )
    binding = "".join(
        '<wsdl:operation name="%s"><soap:operation soapAction=%s style="document"/>'
        '<wsdl:input><soap:body use="literal"/></wsdl:input>'
        '<wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>'
        % (f, quoteattr("%s#%s" % (namespace, f)))
        for f in FUNCTIONS
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" '
        'xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns=%s targetNamespace=%s>'
        '<wsdl:types><xsd:schema targetNamespace=%s elementFormDefault="unqualified">%s'
        "</xsd:schema></wsdl:types>%s"
        '<wsdl:portType name="OperatorAPIPort">%s</wsdl:portType>'
        '<wsdl:binding name="OperatorAPIBinding" type="tns:OperatorAPIPort">'
        '<soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>'
        "%s</wsdl:binding>"
        '<wsdl:service name="OperatorAPI"><wsdl:port name="OperatorAPIPort" '
        'binding="tns:OperatorAPIBinding"><soap:address location=%s/></wsdl:port>'
        "</wsdl:service></wsdl:definitions>"
        % (ns, ns, ns, types, messages, port, binding, loc)
    )
