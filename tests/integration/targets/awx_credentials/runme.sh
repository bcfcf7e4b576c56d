#!/usr/bin/env bash
# Issue 14: an AWX credential of each of the collection's credential types
# (extensions/awx/credential_types.yml) is all a job needs. Each credential's
# environment is rendered as AWX renders its injectors
# (tests/tools/awx_injectors.py), and that backend's modules run with exactly
# that environment - no connection option, no other ISP_* variable - against
# its emulator. Some credentials fill every input, some leave the optional ones
# empty (AWX then injects ""). Then module_defaults as the docs show them.
set -euo pipefail

config="$(cd ../.. && pwd)/integration_config.yml"  # the emulators' URLs (tasks.py integration)
collection="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/isp/provisioning"
injectors="$collection/tests/tools/awx_injectors.py"
work="${OUTPUT_DIR:?}/awx"
rm -rf "$work"
mkdir -p "$work"

url() {
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2] + "_url"])' \
        "$config" "$1"
}

# with_credential BACKEND SECRET INPUTS_JSON: read BACKEND with its credential only,
# and find SECRET nowhere in the output (at -vvv)
with_credential() {
    local backend=$1 secret=$2 inputs=$3
    python3 "$injectors" "$backend" "$inputs" "$work" -- \
        ansible-playbook read.yml -i localhost, -e "backend=$backend" -vvv \
        > "$work/$backend.log" 2>&1 || { cat "$work/$backend.log"; exit 1; }
    if [ -n "$secret" ] && grep -qF -- "$secret" "$work/$backend.log"; then
        echo "the $backend credential's secret is in the job's output"; exit 1
    fi
    echo "$backend: read with the credential's environment alone"
}

with_credential onu operator123 \
    "{\"url\": \"$(url onu)\", \"username\": \"operator\", \"password\": \"operator123\"}"
with_credential crm 0f9895fb407c83e5ea128082098b47681aa75d6944576423c4 \
    "{\"url\": \"$(url crm)\", \"userid\": \"5\",
      \"api_key\": \"0f9895fb407c83e5ea128082098b47681aa75d6944576423c4\",
      \"validate_certs\": \"true\", \"timeout\": \"20\", \"concurrency\": \"2\", \"ca_cert\": \"\"}"
# (the emulator's SIMPLer password is the word "password": -vvv prints that word anyway)
with_credential simpler "" \
    "{\"url\": \"$(url simpler)\", \"api_username\": \"username\", \"api_password\": \"password\",
      \"operator\": \"operator\", \"transport\": \"soap\", \"rest_path\": \"\", \"soap_path\": \"\",
      \"soap_namespace\": \"\", \"validate_certs\": \"\", \"timeout\": \"\", \"concurrency\": \"\"}"
with_credential ipdr GiXwBWWv5g2Fs6QeaTlx \
    "{\"url\": \"$(url ipdr)\", \"username\": \"user\", \"api_token\": \"GiXwBWWv5g2Fs6QeaTlx\",
      \"context\": \"default\", \"timeout\": \"15\"}"
with_credential userside userside-test-key \
    "{\"url\": \"$(url userside)\", \"api_key\": \"userside-test-key\"}"

ansible-playbook module_defaults.yml -i localhost, -e "@$config"
