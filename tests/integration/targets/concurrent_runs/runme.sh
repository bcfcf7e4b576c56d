#!/usr/bin/env bash
# Issue 12: two runs of one task at the same time - a manual run beside the
# scheduled one - both find the same customers missing and both create them.
# Neither the CRM (a second customer of one uniqueid) nor SIMPLer (a second
# customer whose invoicing id it makes unique by appending a number) refuses
# the second, so each run, after its creates, deletes its own where an older
# twin holds the identity: after both runs, every declared identity is held by
# exactly one customer, and no stray is left.
#
#   RACE_CUSTOMERS (500)  the CRM's customers
#   RACE_SIMPLER (200)    SIMPLer's: each costs a search and a read per run
set -euo pipefail

config="$(cd ../.. && pwd)/integration_config.yml"  # the emulators' URLs (tasks.py integration)
work="${OUTPUT_DIR:?}/race"
rm -rf "$work"
mkdir -p "$work"

python3 - "${RACE_CUSTOMERS:-500}" "${RACE_SIMPLER:-200}" "$work" <<'PYTHON'
import json, sys
crm_count, simpler_count, work = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
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
}

race crm "$@"
race simpler "$@"
