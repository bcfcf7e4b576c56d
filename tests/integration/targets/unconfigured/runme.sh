#!/usr/bin/env bash
# Issue 14: what runs when nothing is there to run.
# - playbooks/site.yml over an inventory without the provisioning group (or
#   with an empty one) fails, saying why, instead of "skipping: no hosts
#   matched" and exit 0.
# - Each backend's role with no connection configured skips that backend with
#   one line saying so, instead of failing on missing arguments (or reporting
#   "0 created" for a backend it never asked).
set -euo pipefail

collection="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/isp/provisioning"
work="${OUTPUT_DIR:?}/unconfigured"
rm -rf "$work"
mkdir -p "$work"
for variable in $(env | grep -o '^ISP_[A-Z_]*' || true); do unset "$variable"; done

# fails_saying PLAYBOOK INVENTORY: PLAYBOOK over INVENTORY fails with the reason
# (with Ansible's default for a pattern that matches no group, not ansible-test's error)
fails_saying() {
    if ANSIBLE_HOST_PATTERN_MISMATCH=warning ansible-playbook "$1" -i "$2" > "$work/site.log" 2>&1; then
        cat "$work/site.log"; echo "$1 succeeded over $2"; exit 1
    fi
    grep -q "no host is in group provisioning" "$work/site.log" \
        || { cat "$work/site.log"; echo "$1 failed without the reason"; exit 1; }
}
fails_saying "$collection/playbooks/site.yml" localhost,
printf '[provisioning]\n\n[other]\nsomewhere ansible_connection=local\n' > "$work/empty_group.ini"
# A project's site.yml that imports the collection's, as docs/awx.md shows it
printf -- '---\n- name: Converge the subscribers\n  ansible.builtin.import_playbook: isp.provisioning.site\n' \
    > "$work/site.yml"
fails_saying "$work/site.yml" "$work/empty_group.ini"

# The roles: once with nothing set, once with the URLs empty as AWX injects them.
ansible-playbook roles.yml -i localhost, > "$work/roles.log" 2>&1 || { cat "$work/roles.log"; exit 1; }
ISP_ONU_URL="" ISP_CRM_URL="" ISP_SIMPLER_URL="" ISP_IPDR_URL="" ISP_USERSIDE_URL="" \
    ansible-playbook roles.yml -i localhost, >> "$work/roles.log" 2>&1 \
    || { cat "$work/roles.log"; exit 1; }
for backend in onu crm simpler ipdr userside; do
    said=$(grep -c "skipped, no connection configured (set ${backend}_url" "$work/roles.log" || true)
    [ "$said" -eq 2 ] || { cat "$work/roles.log"; echo "$backend: skipped $said times, not 2"; exit 1; }
done
if grep -q " created" "$work/roles.log"; then
    cat "$work/roles.log"; echo "a role without a connection reported what it converged"; exit 1
fi
echo "site.yml fails without shard hosts; each role skips a backend it cannot reach, saying so"
