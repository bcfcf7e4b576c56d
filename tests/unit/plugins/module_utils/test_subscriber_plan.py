"""The cross-backend plan, read from the fan-out and each backend task's registered result."""

from ansible_collections.isp.provisioning.plugins.module_utils.subscriber import (
    Options,
    fan_out,
    validate,
)
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_plan import (
    TABLE_ROWS,
    merge,
    plan,
)


def subscribers(*records):
    checked, problems = validate(list(records))
    assert problems == []
    return checked


def ran(*items, **extra):
    """A bulk task's registered result with these result items (``results: all``: a
    declared record's item has its index; purged ones follow)."""
    items = [i if i.get("purged") or "index" in i else dict(i, index=n)
             for n, i in enumerate(items)]
    return dict({"changed": any(i.get("changed") for i in items), "results": items}, **extra)


def item(action="none", changes=None, **extra):
    result = {"action": action, "changed": action != "none"}
    if changes:
        result["changes"] = dict.fromkeys(changes, "new")
    result.update(extra)
    return result


SKIPPED = {"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}


def test_each_subscriber_gets_each_backends_action_in_order():
    people = subscribers({"id": "A", "onu": {"sn": "SN1"}, "ipdr": {}},
                         {"id": "B", "ipdr": {}})
    fanned = fan_out(people)
    result = plan(people, fanned, {
        "onu": ran(item("create")),
        "ipdr": ran(item("update", ["email", "address"]), item()),
    })
    assert result["subscribers"] == [
        {"id": "A", "state": "active", "backends": {
            "onu": {"action": "create"},
            "ipdr": {"action": "update", "changes": ["address", "email"]}}},
    ]
    assert result["unchanged"] == 1  # B: counted, not listed
    assert result["totals"] == {"onu": {"create": 1}, "ipdr": {"update": 1, "none": 1}}
    assert result["changed"] and result["problems"] == []
    assert result["drift"] == ["A: onu create, ipdr update (address, email)"]
    assert result["lines"] == [
        "1 of 2 subscribers changed",
        "subscriber | onu | ipdr",
        "A | create | update (address, email)",
        "onu: 1 create",
        "ipdr: 1 update, 1 none",
    ]


def test_nothing_changed():
    people = subscribers({"id": "A", "ipdr": {}})
    result = plan(people, fan_out(people), {"ipdr": ran(item())}, check_mode=True)
    assert not result["changed"] and result["drift"] == []
    assert result["lines"] == ["0 of 1 subscribers would change", "ipdr: 1 none"]
    assert result["check_mode"] is True


def test_suspend_and_resume_are_named_by_the_lifecycles_fields():
    people = subscribers({"id": "A", "state": "suspended", "onu": {"sn": "SN1"}, "erp": {},
                          "billing": {}, "crm": {}},
                         {"id": "B", "onu": {"sn": "SN2"}})
    fanned = fan_out(people, Options(billing_suspended_status="unused"))
    result = plan(people, fanned, {
        "onu": ran(item("update", ["enabled", "name"]), item("update", ["enabled"])),
        "erp": ran(item("update", ["status"])),
        "billing": ran(item("update", ["customerstatus"])),
        "crm": ran(item("update", ["email"])),
    })
    backends = result["subscribers"][0]["backends"]
    assert backends["onu"] == {"action": "suspend", "changes": ["enabled", "name"]}
    assert backends["erp"]["action"] == "suspend"
    assert backends["billing"]["action"] == "suspend"
    assert backends["crm"]["action"] == "update"
    assert result["subscribers"][1]["backends"]["onu"]["action"] == "resume"
    assert "A | suspend (enabled, name) | update (email) | suspend (customerstatus) | " \
           "suspend (status)" in result["lines"]


def test_an_active_subscribers_billing_status_change_is_an_update():
    people = subscribers({"id": "A", "billing": {"customerstatus": "current"}})
    result = plan(people, fan_out(people), {"billing": ran(item("update", ["customerstatus"]))})
    assert result["subscribers"][0]["backends"]["billing"]["action"] == "update"


def test_a_refused_record_is_named_and_the_others_stand():
    people = subscribers({"id": "A", "billing": {}}, {"id": "B", "billing": {}})
    refused = item("delete", failed=True, changed=False,
                   msg="deleteCustomer refused: customer status is 'current'")
    result = plan(people, fan_out(people), {
        "billing": ran(refused, item("create"), failed=True, msg="1 of 2 writes was refused")})
    assert result["subscribers"][0]["backends"]["billing"] == {
        "action": "refused", "msg": "deleteCustomer refused: customer status is 'current'"}
    assert result["subscribers"][1]["backends"]["billing"] == {"action": "create"}
    assert result["problems"] == [
        "A on billing (SIMPLer): deleteCustomer refused: customer status is 'current'"]
    assert result["totals"]["billing"] == {"create": 1, "refused": 1}


def test_a_write_not_confirmed_is_a_problem_that_asks_for_a_rerun():
    # Issue 16: the role ignores each backend task's failure and fails on the
    # plan's problems: a write that could not be read back must be one of them.
    people = subscribers({"id": "A", "crm": {}}, {"id": "B", "crm": {}})
    unread = item("create", unconfirmed=True, msg="written; reading it back failed: HTTP 503")
    result = plan(people, fan_out(people), {
        "crm": ran(unread, item("create"), failed=True, msg="1 of 2 writes was not confirmed")})
    assert result["subscribers"][0]["backends"]["crm"] == {
        "action": "unconfirmed", "msg": "create not confirmed: written; reading it back failed: "
                                        "HTTP 503"}
    assert result["problems"] == [
        "A on CRM: create not confirmed: written; reading it back failed: HTTP 503"]
    assert result["totals"]["crm"] == {"create": 1, "unconfirmed": 1}


def test_a_task_that_failed_after_every_records_write_is_a_problem():
    people = subscribers({"id": "A", "crm": {}})
    result = plan(people, fan_out(people), {
        "crm": ran(item("create"), failed=True,
                   msg="reading the customers created back, for twins, failed: refused")})
    assert result["subscribers"][0]["backends"]["crm"] == {"action": "create"}
    assert result["problems"] == [
        "CRM: reading the customers created back, for twins, failed: refused"]


def test_a_backend_that_failed_before_its_records():
    people = subscribers({"id": "A", "crm": {}}, {"id": "B", "crm": {}})
    result = plan(people, fan_out(people), {
        "crm": {"failed": True, "changed": False, "msg": "nothing was changed: bad input"}})
    assert [s["backends"]["crm"] for s in result["subscribers"]] == [
        {"action": "failed", "msg": "nothing was changed: bad input"}] * 2
    assert result["problems"] == [
        "CRM: nothing was changed: bad input (2 subscribers not converged there)"]
    assert not result["changed"]


def test_a_backend_that_stopped_part_way():
    people = subscribers({"id": "A", "crm": {}}, {"id": "B", "crm": {}}, {"id": "C", "crm": {}})
    not_written = item("create", changed=False, not_written=True, msg="not sent: ...")
    result = plan(people, fan_out(people), {
        "crm": ran(item("create"), item(), not_written, failed=True, msg="connection refused")})
    entries = {s["id"]: s["backends"]["crm"] for s in result["subscribers"]}
    assert entries == {"A": {"action": "create"},
                       "C": {"action": "failed", "msg": "connection refused"}}
    assert result["problems"] == ["CRM: connection refused (1 subscribers not converged there)"]


def test_results_changed_lists_records_by_index_and_the_others_were_left_as_they_were():
    people = subscribers(*({"id": name, "crm": {}} for name in "ABCD"))
    result = plan(people, fan_out(people), {"crm": ran(
        item("update", ["email"], index=2),
        item("create", changed=False, not_written=True, index=3, msg="not sent: ..."),
        failed=True, msg="connection refused")})
    assert [(s["id"], s["backends"]["crm"]["action"]) for s in result["subscribers"]] == [
        ("C", "update"), ("D", "failed")]
    assert result["unchanged"] == 2
    assert result["totals"] == {"crm": {"update": 1, "none": 2, "failed": 1}}
    assert result["lines"][0] == "1 of 4 subscribers changed"


def test_a_no_op_plan_lists_no_subscriber_and_counts_them():
    people = subscribers(*({"id": f"S{n}", "onu": {"sn": f"SN{n}"}, "crm": {}}
                           for n in range(1000)))
    result = plan(people, fan_out(people), {"onu": ran(), "crm": ran()})
    assert result["subscribers"] == [] and result["unchanged"] == 1000
    assert result["totals"] == {"onu": {"none": 1000}, "crm": {"none": 1000}}
    assert merge([result, result], with_subscribers=True)["unchanged"] == 2000


def test_a_task_that_stopped_before_its_writes_failed_every_record():
    people = subscribers({"id": "A", "crm": {}}, {"id": "B", "crm": {}})
    result = plan(people, fan_out(people), {"crm": {"failed": True, "msg": "connection refused"}})
    assert [s["backends"]["crm"]["action"] for s in result["subscribers"]] == ["failed"] * 2


def test_a_backend_without_a_connection_is_not_run():
    people = subscribers({"id": "A", "onu": {"sn": "SN1"}, "crm": {}})
    result = plan(people, fan_out(people), {"onu": SKIPPED})
    # said once, in the totals: a plan listing every subscriber for it would
    # hold 200,000 entries where a backend is not configured
    assert result["subscribers"] == [] and result["unchanged"] == 1
    assert result["totals"] == {"onu": {"not run": 1}, "crm": {"not run": 1}}
    assert not result["changed"] and result["problems"] == []
    assert result["lines"][-2:] == ["onu: 1 not run (no connection configured)",
                                    "crm: 1 not run (no connection configured)"]


def test_an_absent_subscribers_ipdr_record_is_kept():
    people = subscribers({"id": "A", "state": "absent", "onu": {"sn": "SN1"}, "ipdr": {}})
    result = plan(people, fan_out(people), {"onu": ran(item("delete"))})
    assert result["subscribers"][0]["backends"] == {
        "onu": {"action": "delete"}, "ipdr": {"action": "keep"}}
    assert result["totals"]["ipdr"] == {"keep": 1}
    assert result["drift"] == ["A: onu delete"]


def test_equipment_has_its_own_column():
    people = subscribers({"id": "A", "billing": {"equipment": [{"nickname": "cpe1"}]}})
    result = plan(people, fan_out(people), {"billing": ran(item("create")),
                                            "billing_equipment": ran(item("create"))})
    assert result["subscribers"][0]["backends"]["billing_equipment"] == {"action": "create"}
    assert result["lines"][1] == "subscriber | billing | billing_equipment"


def test_records_a_purge_deleted_follow_the_declared_ones():
    people = subscribers({"id": "A", "ipdr": {}})
    result = plan(people, fan_out(people), {
        "ipdr": ran(item(), item("delete", user_id="stale", purged=True))})
    assert result["purged"] == [{"backend": "ipdr", "key": "stale", "action": "delete"}]
    assert result["changed"]


def test_a_long_refusal_is_cut_short():
    people = subscribers({"id": "A", "ipdr": {}})
    result = plan(people, fan_out(people), {
        "ipdr": ran(item("create", failed=True, msg="x " * 200), failed=True)})
    assert len(result["subscribers"][0]["backends"]["ipdr"]["msg"]) == 160


def test_the_table_shows_at_most_its_rows_then_the_totals():
    people = subscribers(*({"id": f"S{n:05d}", "ipdr": {}} for n in range(TABLE_ROWS + 5)))
    result = plan(people, fan_out(people),
                  {"ipdr": ran(*(item("create") for _person in people))})
    lines = result["lines"]
    assert lines[0] == f"{TABLE_ROWS + 5} of {TABLE_ROWS + 5} subscribers changed"
    assert len(lines) == 2 + TABLE_ROWS + 1 + 1
    assert lines[-2] == "... and 5 more (see the plan's data)"
    assert lines[-1] == f"ipdr: {TABLE_ROWS + 5} create"
    assert len(result["drift"]) == TABLE_ROWS + 5


def test_a_purge_is_counted_in_the_totals_and_drift():
    people = subscribers({"id": "A", "ipdr": {}})
    result = plan(people, fan_out(people), {
        "ipdr": ran(item(), item("delete", user_id="stale", purged=True),
                    item("delete", user_id="old", purged=True))})
    assert result["totals"] == {"ipdr": {"none": 1, "purge": 2}}
    assert result["lines"] == ["0 of 1 subscribers changed", "ipdr: 1 none, 2 purge"]
    assert result["drift"] == ["ipdr stale: purge (not declared)", "ipdr old: purge (not declared)"]


def test_a_refused_purge_is_a_problem():
    people = subscribers({"id": "A", "billing": {}})
    result = plan(people, fan_out(people), {
        "billing": ran(item(), item("delete", invoicingid="X-1", purged=True, failed=True,
                                    msg="ERROR: customer is current"), failed=True)})
    assert result["problems"] == [
        "undeclared X-1 on billing (SIMPLer): the purge's delete was not made: "
        "ERROR: customer is current"]
    assert result["purged"] == [] and "purge" not in result["totals"]["billing"]


def test_a_purge_the_stopped_backend_never_sent_is_no_purge():
    people = subscribers({"id": "A", "onu": {"sn": "SN1"}})
    result = plan(people, fan_out(people), {
        "onu": ran(item(), item("delete", sn="OLD1", purged=True, changed=False,
                                not_written=True, msg="not sent: the backend stopped"),
                   failed=True, msg="connection refused")})
    assert result["purged"] == [] and "purge" not in result["totals"]["onu"]
    assert "undeclared OLD1 on ONU: the purge's delete was not made: " \
        "not sent: the backend stopped" in result["problems"]
    assert result["drift"] == []


def test_the_plans_of_shards_add_up():
    first = subscribers({"id": "A", "onu": {"sn": "SN1"}, "ipdr": {}})
    second = subscribers({"id": "B", "onu": {"sn": "SN2"}}, {"id": "C", "onu": {"sn": "SN3"}})
    plans = [
        plan(first, fan_out(first), {"onu": ran(item("create")), "ipdr": ran(item())}),
        plan(second, fan_out(second), {
            "onu": ran(item("update", ["name"]), item(), item("delete", sn="X", purged=True))}),
    ]
    merged = merge(plans)
    assert merged["totals"] == {"onu": {"create": 1, "update": 1, "none": 1, "purge": 1},
                                "ipdr": {"none": 1}}
    assert merged["changed"] and not merged["check_mode"]
    assert merged["drift"] == ["A: onu create", "B: onu update (name)",
                               "onu X: purge (not declared)"]
    assert merged["purged"] == [{"backend": "onu", "key": "X", "action": "delete"}]
    assert merged["lines"][0] == "2 of 3 subscribers changed"
    assert merged["lines"][-2:] == ["onu: 1 create, 1 update, 1 none, 1 purge", "ipdr: 1 none"]
    assert "subscribers" not in merged
    with_subscribers = merge(plans, with_subscribers=True)
    assert [e["id"] for e in with_subscribers["subscribers"]] == ["A", "B"]
    assert with_subscribers["unchanged"] == 1


def test_the_plan_of_one_shard_is_that_shards_plan():
    people = subscribers({"id": "A", "onu": {"sn": "SN1"}}, {"id": "B", "ipdr": {}})
    one = plan(people, fan_out(people), {"onu": ran(item("create")), "ipdr": ran(item())})
    assert merge([one], with_subscribers=True) == one


def test_the_plan_of_no_shard_and_of_an_empty_one():
    empty = plan([], fan_out([]), {})
    assert merge([empty])["lines"] == ["0 of 0 subscribers changed"]
    assert merge([])["totals"] == {} and not merge([])["changed"]
