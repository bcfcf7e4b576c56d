#!/usr/bin/env bash
# Issue 12: two runs of one task at the same time - a manual run beside the
# scheduled one - both find the same customers missing and both create them.
# The CRM does not refuse a second customer of one uniqueid, so each run, after
# its creates, deletes its own where an older twin holds the uniqueid: after
# both runs, every declared uniqueid is held by exactly one customer.
#
#   RACE_CUSTOMERS (500)
set -euo pipefail

customers=${RACE_CUSTOMERS:-500}
config="$(cd ../.. && pwd)/integration_config.yml"  # the emulators' URLs (tasks.py integration)
work="${OUTPUT_DIR:?}/race"
rm -rf "$work"
mkdir -p "$work"
extra=(-i "localhost," -e "@$config" -e "customers_file=$work/customers.json")

python3 - "$customers" "$work/customers.json" <<'PYTHON'
import json, sys
count, path = int(sys.argv[1]), sys.argv[2]
customer = dict(resellerid=3, type="Individual", name="Race Customer", mobile="9800000001",
                email="race@example.net", zipcode="403001", address_state="Goa",
                city="Panaji", street="1 Race Road")
json.dump([dict(customer, uniqueid="RACE-%04d" % n) for n in range(1, count + 1)],
          open(path, "w"))
PYTHON

# Every answer a little late, so that both runs read the list before either creates.
ansible-playbook faults.yml "${extra[@]}" -e latency_ms=5 "$@"
pids=()
for run in 1 2; do
    ansible-playbook converge.yml "${extra[@]}" "$@" > "$work/run$run.log" 2>&1 &
    pids+=($!)
done
for run in 1 2; do
    if ! wait "${pids[run - 1]}"; then
        echo "run $run failed:"
        cat "$work/run$run.log"
        exit 1
    fi
done
ansible-playbook faults.yml "${extra[@]}" -e latency_ms=0 "$@"
grep -h -c "another run created it too" "$work"/run*.log || true  # twins each run deleted
ansible-playbook verify.yml "${extra[@]}" "$@"
