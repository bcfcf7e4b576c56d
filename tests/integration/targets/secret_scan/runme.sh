#!/usr/bin/env bash
# Issue 12: no secret in output, log or result at -vvvv, on any module, on error
# paths where a server repeats the request (its body, query and headers) in its
# answer, with secrets that JSON, forms and XML each escape in their own way;
# and no secret on the success paths of the real credentials.
set -euo pipefail
# the emulator control task files of setup_emulator (needs/target/setup_emulator)
export ANSIBLE_ROLES_PATH="$(cd .. && pwd)"

config="$(cd ../.. && pwd)/integration_config.yml"  # the emulators' URLs (tasks.py integration)
work="${OUTPUT_DIR:?}/scan"
rm -rf "$work"
mkdir -p "$work"
# Secrets that JSON, forms and XML each escape in their own way.
python3 - "$work" <<'PYTHON'
import json, sys
special = 'Sx"q\\w&<é>\'/~ 9%T'
json.dump({"secrets": {name: name[0] + "-" + special
                       for name in ("onu", "crm", "simpler", "ipdr", "userside")}},
          open(sys.argv[1] + "/special.json", "w"))
json.dump({"secrets": {"onu": "operator123", "crm": "0f9895fb407c83e5ea128082098b47681aa75d6944576423c4",
                       "simpler": "password", "ipdr": "GiXwBWWv5g2Fs6QeaTlx",
                       "userside": "userside-test-key"}}, open(sys.argv[1] + "/real.json", "w"))
PYTHON
extra=(-i "localhost," -e "@$config")

# scan NAME [ansible-playbook options]: scan.yml at -vvvv, its output in NAME.out and NAME.log
scan() {
    local name=$1
    shift
    ANSIBLE_LOG_PATH="$work/$name.log" ansible-playbook scan.yml -vvvv "${extra[@]}" "$@" \
        > "$work/$name.out" 2>&1 || { tail -40 "$work/$name.out"; return 1; }
}
# The secrets in each module's environment variable instead of options.
python3 - "$work" > "$work/environment.sh" <<'PYTHON'
import json, shlex, sys
secrets = json.load(open(sys.argv[1] + "/special.json"))["secrets"]
names = {"onu": "ISP_ONU_PASSWORD", "crm": "ISP_CRM_API_KEY", "simpler": "ISP_SIMPLER_API_PASSWORD",
         "ipdr": "ISP_IPDR_API_TOKEN", "userside": "ISP_USERSIDE_API_KEY"}
for backend, name in names.items():
    print(f"export {name}={shlex.quote(secrets[backend])}")
PYTHON

ansible-playbook faults.yml "${extra[@]}" -e echo=true "$@"
# The four ways of giving the secrets, side by side: every request fails (the
# echo), so no run writes anything the others would read.
scans=()
for transport in rest soap; do
    scan "echo-$transport" -e "@$work/special.json" -e "simpler_transport=$transport" \
        -e secrets_given=defaults &
    scans+=($!)
done
# The same, the secrets given in each task's own options.
scan echo-task -e "@$work/special.json" -e simpler_transport=soap -e secrets_given=task &
scans+=($!)
(
    # shellcheck disable=SC1091
    . "$work/environment.sh"
    scan echo-environment -e "@$work/special.json" -e secrets_given=environment \
        -e simpler_transport=rest
) &
scans+=($!)
failed=0
for pid in "${scans[@]}"; do
    wait "$pid" || failed=1
done
ansible-playbook faults.yml "${extra[@]}" -e echo=false "$@"
[ "$failed" = 0 ] || exit 1
scan real -e "@$work/real.json" -e simpler_transport=rest -e secrets_given=defaults

python3 - "$work" <<'PYTHON'
import glob, html, json, sys
from urllib.parse import quote, quote_plus
work = sys.argv[1]
special = json.load(open(work + "/special.json"))["secrets"]
real = json.load(open(work + "/real.json"))["secrets"]
def forms(secret):
    return {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
            quote_plus(secret), quote(secret, safe=""), html.escape(secret, quote=False),
            html.escape(secret)}
checks = [("echo-*.[ol][uo][tg]", special.values()),  # each run's output and log
          # "password" is no secret a scan can look for: every option name holds it
          ("real.[ol][uo][tg]", [v for k, v in real.items() if k != "simpler"])]
found, echoed, silent = [], 0, []
for pattern, secrets in checks:
    for path in sorted(glob.glob(f"{work}/{pattern}")):
        text = open(path, encoding="utf-8", errors="replace").read()
        echoed += text.count("********")
        if pattern.startswith("echo") and "********" not in text:
            silent.append(path)  # a way of giving the secrets that no echo reached
        found += [f"{path}: {form!r}" for secret in secrets for form in forms(secret) if form in text]
        if "eyJ" in text:
            found.append(f"{path}: a JSON Web Token")
print(f"{echoed} masks in the output; {len(found)} secrets shown")
if found:
    print("\n".join(found))
    sys.exit(1)
if silent:
    sys.exit("no mask at all in %s: the servers' echoes did not reach the output" % silent)
PYTHON
