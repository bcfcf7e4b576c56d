#!/usr/bin/env bash
# Issue 12: two runs of one task at the same time - a manual run beside the
# scheduled one - both find the same customers missing and both create them.
# Neither the CRM (a second customer of one uniqueid) nor SIMPLer (a second
# customer whose invoicing id it makes unique by appending a number) refuses
# the second, so each run, after its creates, deletes its own where an older
# twin holds the identity: after both runs, every declared identity is held by
# exactly one customer, and no stray is left.
#
#
# The other backends' servers refuse a second record of one identity: of two
# runs at once, one run's create of a record is refused (on UserSide, undone),
# that run fails, and what both leave is exactly the declared records, which a
# third run finds unchanged (race_enforced).
#
# A race that did not happen (one run done before the other read) would pass
# the verdicts too: each race also checks that the runs met - twins deleted,
# or a run refused. The counts are what makes them meet: with 150 records each,
# on a loaded machine, the CRM's two runs did not.
#
#   RACE_CUSTOMERS (500)  the CRM's customers
#   RACE_SIMPLER (500)    SIMPLer's: each costs a search and a read per run
#   RACE_ENFORCED (500)   each of the other backends' records
set -euo pipefail
# the emulator control task files of setup_emulator (needs/target/setup_emulator)
export ANSIBLE_ROLES_PATH="$(cd .. && pwd)"

config="$(cd ../.. && pwd)/integration_config.yml"  # the emulators' URLs (tasks.py integration)
work="${OUTPUT_DIR:?}/race"
rm -rf "$work"
mkdir -p "$work"

python3 - "${RACE_CUSTOMERS:-500}" "${RACE_SIMPLER:-500}" "${RACE_ENFORCED:-500}" "$work" <<'PYTHON'
import json, sys
crm_count, simpler_count, count = (int(n) for n in sys.argv[1:4])
work = sys.argv[4]
numbers = range(1, count + 1)
for backend, records in {
        "onu": [dict(sn="RACE%08d" % n, name="Race Customer", service="HGU") for n in numbers],
        "ipdr": [dict(user_id="RACE-%04d" % n, name="Race Customer") for n in numbers],
        # each its own name: a create beside a namesake the other run has added and
        # not yet named is refused (it cannot tell it from one left half-made)
        "userside": [dict(login="race-%04d" % n, name="Race Customer %04d" % n)
                     for n in numbers],
        "equipment": [dict(nickname="race_eq_%04d" % n, type="nanostationsm", status="stock")
                      for n in numbers]}.items():
    json.dump(records, open(f"{work}/{backend}.json", "w"))
crm = dict(resellerid=3, type="Individual", name="Race Customer", mobile="9800000001",
           email="race@example.net", zipcode="403001", address_state="Goa",
           city="Panaji", street="1 Race Road")
json.dump([dict(crm, uniqueid="RACE-%04d" % n) for n in range(1, crm_count + 1)],
          open(work + "/crm.json", "w"))
json.dump([dict(invoicingid="RACE-%04d" % n, nickname="race_%04d" % n, name="Race Customer")
           for n in range(1, simpler_count + 1)], open(work + "/simpler.json", "w"))
PYTHON

# race BACKEND [ansible-playbook options]: both runs at once, then the verdict
race() {
    local backend=$1
    shift
    local extra=(-i "localhost," -e "@$config" -e "customers_file=$work/$backend.json"
                 -e "backend=$backend")
    # Every answer a little late, so that both runs read before either creates.
    ansible-playbook faults.yml "${extra[@]}" -e latency_ms=5 "$@"
    local pids=() run
    for run in 1 2; do
        ansible-playbook "converge_$backend.yml" "${extra[@]}" "$@" \
            > "$work/$backend-run$run.log" 2>&1 &
        pids+=($!)
    done
    for run in 1 2; do
        if ! wait "${pids[run - 1]}"; then
            echo "$backend run $run failed:"
            cat "$work/$backend-run$run.log"
            exit 1
        fi
    done
    ansible-playbook faults.yml "${extra[@]}" -e latency_ms=0 "$@"
    echo "$backend: twins each run deleted:"
    grep -h -c "another run created it too" "$work/$backend"-run*.log || true
    ansible-playbook "verify_$backend.yml" "${extra[@]}" "$@"
    # after the verdict, which also cleans up for the other targets
    grep -q "another run created it too" "$work/$backend"-run*.log \
        || { echo "$backend: no twin made, so the runs did not race"; exit 1; }
}

# race_enforced BACKEND [ansible-playbook options]: both runs at once (either may
# fail: the server refused the other's twin), then the verdict
race_enforced() {
    local backend=$1
    shift
    local extra=(-i "localhost," -e "@$config" -e "customers_file=$work/$backend.json"
                 -e "backend=$backend")
    local emulator=$backend
    [ "$backend" = equipment ] && emulator=simpler
    ansible-playbook faults.yml "${extra[@]}" -e "backend=$emulator" -e latency_ms=5 "$@"
    local pids=() run
    for run in 1 2; do
        ansible-playbook converge_enforced.yml "${extra[@]}" "$@" \
            > "$work/$backend-run$run.log" 2>&1 &
        pids+=($!)
    done
    local refused=0
    for run in 1 2; do
        wait "${pids[run - 1]}" || {
            echo "$backend run $run failed (as expected where the server refused a twin):"
            grep -o '"msg": "[^"]*' "$work/$backend-run$run.log" | tail -1 | cut -c1-400
            refused=$((refused + 1))
        }
    done
    ansible-playbook faults.yml "${extra[@]}" -e "backend=$emulator" -e latency_ms=0 "$@"
    ansible-playbook verify_enforced.yml "${extra[@]}" "$@" || {
        cat "$work/$backend"-run*.log
        exit 1
    }
    [ "$refused" -gt 0 ] || { echo "$backend: neither run was refused, so the runs did not race"; exit 1; }
}

race crm "$@"
race simpler "$@"
for backend in onu ipdr userside equipment; do
    race_enforced "$backend" "$@"
done
