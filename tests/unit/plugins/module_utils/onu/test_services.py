"""ONU services: ids as text whatever the server's PHP answers, found by id or name."""

from ansible_collections.isp.provisioning.plugins.module_utils.onu.services import (
    SERVICE,
    OnuServices,
)


class FakeClient:
    def services(self):
        return [{"id": 3, "name": "Internet_4port"}, {"id": "8", "name": "HGU"}]


def test_ids_read_as_text_from_strings_and_php81_numbers():
    assert OnuServices(FakeClient()).read_all() == [
        {"id": "3", "name": "Internet_4port"}, {"id": "8", "name": "HGU"}]


def test_the_info_module_finds_services_by_id_or_name_pattern():
    backend = OnuServices(FakeClient())
    assert SERVICE.lookups == ("id", "name")
    assert backend.search({"id": None, "name": "HG*", "filters": {}}) == [{"id": "8", "name": "HGU"}]
    assert backend.search({"id": "3", "name": None, "filters": {}}) == [
        {"id": "3", "name": "Internet_4port"}]
    assert len(backend.search({"id": None, "name": None, "filters": {}})) == 2
