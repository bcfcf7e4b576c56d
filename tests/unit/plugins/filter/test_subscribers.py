"""The subscriber filters: what a template hands them, and what they refuse."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.isp.provisioning.plugins.filter.subscribers import (
    FilterModule,
    subscriber_plan,
    subscriber_records,
)

ANA = {"id": "SUB-1", "name": {"first": "Ana", "last": "Petrova"}, "state": "absent",
       "onu": {"sn": "SN1"}, "ipdr": {}}


def test_both_filters_are_registered():
    assert set(FilterModule().filters()) == {"subscriber_records", "subscriber_plan"}


def test_records_fan_out():
    fanned = subscriber_records([ANA])
    assert fanned["onu"]["records"] == [{"sn": "SN1", "state": "absent"}]
    assert fanned["ipdr"]["records"] == []  # kept by default


@pytest.mark.parametrize("flag", [True, "true", "yes", "True"])
def test_options_given_as_text_by_a_template(flag):
    fanned = subscriber_records([ANA], ipdr_delete_absent=flag)
    assert fanned["ipdr"]["records"] == [{"user_id": "SUB-1", "state": "absent"}]


@pytest.mark.parametrize("flag", [False, "false", "no", "", None])
def test_false_given_as_text_is_false(flag):
    assert subscriber_records([ANA], ipdr_delete_absent=flag)["ipdr"]["records"] == []


def test_a_flag_that_is_no_flag():
    with pytest.raises(AnsibleFilterError, match="ipdr_delete_absent must be true or false"):
        subscriber_records([ANA], ipdr_delete_absent="perhaps")


def test_billing_suspended_status():
    suspended = dict(ANA, state="suspended", billing={})
    fanned = subscriber_records([suspended], billing_suspended_status="unused")
    assert fanned["billing"]["records"][0]["customerstatus"] == "unused"


def test_every_problem_and_nothing_sent():
    with pytest.raises(AnsibleFilterError) as raised:
        subscriber_records([ANA, {"id": "SUB-1"}, {"id": "SUB-2", "onu": {"sn": "SN1"}},
                            {"id": "SUB-3", "colour": "blue"}])
    message = str(raised.value)
    assert message.startswith("the subscribers have 3 problems; nothing was sent to any backend: ")
    assert "unknown key colour" in message
    assert "subscriber id SUB-1 is also used by subscribers[0]" in message
    assert "onu.sn 'SN1' is also claimed by subscribers[0]: subscriber SUB-1" in message


def test_not_a_list():
    with pytest.raises(AnsibleFilterError, match="must be a list of subscriber records, got dict"):
        subscriber_records(ANA)


def test_the_plan_of_a_run():
    fanned = subscriber_records([ANA])
    result = subscriber_plan(fanned, {"onu": {"results": [{"action": "delete"}]}}, [ANA],
                             check_mode="True")
    assert result["check_mode"] is True
    assert result["subscribers"] == [{"id": "SUB-1", "state": "absent", "backends": {
        "onu": {"action": "delete"}, "ipdr": {"action": "keep"}}}]


def test_the_plan_needs_the_fan_out_and_the_results():
    with pytest.raises(AnsibleFilterError, match="takes the output of subscriber_records"):
        subscriber_plan([], {}, [ANA])
