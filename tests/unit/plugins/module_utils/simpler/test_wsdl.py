"""The WSDL zeep builds SIMPLer's calls from: the vendor's parameter lists, and every
field the specs write among them."""

from lxml import etree

from ansible_collections.isp.provisioning.plugins.module_utils.simpler.customers import CUSTOMER
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.equipment import EQUIPMENT
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.wsdl import (
    FUNCTIONS,
    wsdl,
)


def written(spec, updatable_only=False):
    return {field.write_name for field in spec.fields
            if field.write_name and (field.updatable or not updatable_only)}


def test_every_field_a_spec_writes_is_a_declared_parameter():
    assert written(CUSTOMER) <= set(FUNCTIONS["addCustomer"])
    assert written(CUSTOMER) <= set(FUNCTIONS["modifyCustomer"])
    assert written(EQUIPMENT) <= set(FUNCTIONS["addEquipment"])
    assert written(EQUIPMENT, updatable_only=True) <= set(FUNCTIONS["modifyEquipment"])


def test_modify_equipment_takes_no_field_that_is_set_on_create_only():
    assert not (written(EQUIPMENT) - written(EQUIPMENT, updatable_only=True)) & set(
        FUNCTIONS["modifyEquipment"])


def test_every_declared_filter_is_a_search_parameter():
    assert set(CUSTOMER.filters.values()) <= set(FUNCTIONS["searchCustomer"])
    assert set(EQUIPMENT.filters.values()) <= set(FUNCTIONS["listEquipment"])


def test_the_wsdl_names_the_endpoint_and_every_function():
    document = etree.fromstring(wsdl("http://h.example/OperatorAPI", "http://h/x?a=1&b=2")
                                .encode("utf-8"))
    ns = {"wsdl": "http://schemas.xmlsoap.org/wsdl/", "soap": "http://schemas.xmlsoap.org/wsdl/soap/"}
    assert document.find(".//soap:address", ns).get("location") == "http://h/x?a=1&b=2"
    operations = document.findall(".//wsdl:portType/wsdl:operation", ns)
    assert [operation.get("name") for operation in operations] == list(FUNCTIONS)
