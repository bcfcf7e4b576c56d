#!/usr/bin/env bash
# Issue 13: the five emulators seeded with related records (some that no
# subscriber, or two, would match), exported into a subscriber repository;
# the repository converged in check mode predicts no change and writes
# nothing, converged for real (the subscribers seeded here) changes nothing; the review file names exactly
# the planted records; a second export writes the same bytes. The join rules
# are stated (vars/export.yml), and some records were made by the entity
# modules directly, not in the fan-out's shape (generate.py).
#
#   EXPORT_SUBSCRIBERS (50 related subscribers: 300 records; and 8 planted records that no subscriber, or two, match)
set -euo pipefail
# the emulator control task files of setup_emulator (needs/target/setup_emulator)
export ANSIBLE_ROLES_PATH="$(cd .. && pwd)"

count=${EXPORT_SUBSCRIBERS:-50}
config="$(cd ../.. && pwd)/integration_config.yml"  # the emulators' URLs (tasks.py integration)
work="${OUTPUT_DIR:?}/export"
rm -rf "$work"
mkdir -p "$work/repo/inventory"
extra=(-e "@$config" -e "@vars/connection.yml" -e "@vars/export.yml" -e "work=$work"
       -e "subscriber_count=$count")
started=$(date +%s)
step() { echo "== $(( $(date +%s) - started )) s: $*"; }
export_to() { ansible-playbook isp.provisioning.export -i localhost, "${extra[@]}" -e "export_path=$1" "${@:2}"; }

step "setup"
ansible-playbook setup.yml -i localhost, "${extra[@]}" "$@"
# What the emulators' own seed data gives, before anything is seeded.
step "baseline export"
export_to "$work/baseline/subscribers" "$@"
step "seed"
ansible-playbook seed.yml -i localhost, "${extra[@]}" "$@"

step "export"
export_to "$work/repo/subscribers" "$@"
python check_review.py "$work" "$count"
cp -a "$work/repo" "$work/first"

printf 'plugin: isp.provisioning.subscribers\npath: ../subscribers\n' > "$work/repo/inventory/subscribers.yml"
converge() {
    ANSIBLE_INVENTORY_ENABLED=isp.provisioning.subscribers ANSIBLE_INVENTORY_UNPARSED_FAILED=True \
        ansible-playbook converge.yml "${extra[@]}" "$@"
}
ansible-playbook counters.yml -i localhost, "${extra[@]}" -e counters=reset
step "check-mode converge"
converge -i "$work/repo/inventory" --check "$@"
ansible-playbook counters.yml -i localhost, "${extra[@]}" -e counters=none
# For real, the subscribers seeded here alone: the emulators' own seed data (most
# of the repository) was converged in check mode above, with no write; a second
# converge of it would only cost time.
step "converge"
mkdir -p "$work/ours/subscribers" "$work/ours/inventory"
(cd "$work/repo/subscribers" && for file in *.yml; do
    [ -e "$work/baseline/subscribers/$file" ] || cp "$file" "$work/ours/subscribers/"; done)
cp "$work/repo/inventory/subscribers.yml" "$work/ours/inventory/"
converge -i "$work/ours/inventory" "$@" | tee "$work/converge.log"
grep -q 'changed=0 ' "$work/converge.log" || { echo "the converge of the export changed something"; exit 1; }
ansible-playbook counters.yml -i localhost, "${extra[@]}" -e counters=none

# A second export: no file written, every byte the same.
step "second export"
export_to "$work/repo/subscribers" "$@" | tee "$work/second.log"
grep -q 'changed=0 ' "$work/second.log" || { echo "the second export wrote files"; exit 1; }
rm "$work/repo/inventory/subscribers.yml"
diff -r "$work/first" "$work/repo"
# No secret of the connection in any file written.
for secret in $(sed -n 's/^[a-z_]*\(password\|api_key\|api_token\): *//p' vars/connection.yml); do
    if grep -rlF -- "$secret" "$work/repo" "$work/baseline"; then
        echo "a secret of the connection is in the files above"; exit 1
    fi
done

# A backend with no connection configured is skipped with one line, and no
# subscriber gets its section: here only the CRM has a URL.
step "export with the CRM alone"
python - "$config" "$work/crm-only.json" <<'PY'
import json, sys
urls = json.load(open(sys.argv[1]))
json.dump({k: v for k, v in urls.items() if not k.endswith("_url") or k == "crm_url"},
          open(sys.argv[2], "w"))
PY
ansible-playbook isp.provisioning.export -i localhost, -e "@$work/crm-only.json" \
    -e "@vars/connection.yml" -e "export_path=$work/crm-only/subscribers" "$@" | tee "$work/crm-only.log"
[ "$(grep -c 'skipped, no connection configured' "$work/crm-only.log")" -eq 4 ] \
    || { echo "expected one line for each of the four backends without a connection"; exit 1; }
if grep -lE '^(onu|billing|ipdr|erp):' -r "$work/crm-only/subscribers" | head -3 | grep .; then
    echo "a subscriber got a section of a backend that was not read"; exit 1
fi

step "done"
echo "export: $(ls "$work/repo/subscribers" | wc -l) subscriber files"
