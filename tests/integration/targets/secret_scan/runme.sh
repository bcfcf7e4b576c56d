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

ansible-playbook faults.yml "${extra[@]}" -e echo=true "$@"
for transport in rest soap; do
    ANSIBLE_LOG_PATH="$work/echo-$transport.log" ansible-playbook scan.yml -vvvv "${extra[@]}" \
        -e "@$work/special.json" -e "simpler_transport=$transport" -e secrets_given=defaults \
        > "$work/echo-$transport.out" 2>&1 || { tail -40 "$work/echo-$transport.out"; exit 1; }
done
# The same, the secrets given in each task's own options.
ANSIBLE_LOG_PATH="$work/echo-task.log" ansible-playbook scan.yml -vvvv "${extra[@]}" \
    -e "@$work/special.json" -e simpler_transport=soap -e secrets_given=task \
    > "$work/echo-task.out" 2>&1 || { tail -40 "$work/echo-task.out"; exit 1; }
# The same, the secrets in each module's environment variable instead of options.
python3 - "$work" > "$work/environment.sh" <<'PYTHON'
import json, shlex, sys
secrets = json.load(open(sys.argv[1] + "/special.json"))["secrets"]
names = {"onu": "ISP_ONU_PASSWORD", "crm": "ISP_CRM_API_KEY", "simpler": "ISP_SIMPLER_API_PASSWORD",
         "ipdr": "ISP_IPDR_API_TOKEN", "userside": "ISP_USERSIDE_API_KEY"}
for backend, name in names.items():
    print(f"export {name}={shlex.quote(secrets[backend])}")
PYTHON
(
    # shellcheck disable=SC1091
    . "$work/environment.sh"
    ANSIBLE_LOG_PATH="$work/echo-environment.log" ansible-playbook scan.yml -vvvv "${extra[@]}" \
        -e "@$work/special.json" -e secrets_given=environment -e simpler_transport=rest \
        > "$work/echo-environment.out" 2>&1 || { tail -40 "$work/echo-environment.out"; exit 1; }
)
ansible-playbook faults.yml "${extra[@]}" -e echo=false "$@"
ANSIBLE_LOG_PATH="$work/real.log" ansible-playbook scan.yml -vvvv "${extra[@]}" \
    -e "@$work/real.json" -e simpler_transport=rest -e secrets_given=defaults > "$work/real.out" 2>&1 \
    || { tail -40 "$work/real.out"; exit 1; }

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
