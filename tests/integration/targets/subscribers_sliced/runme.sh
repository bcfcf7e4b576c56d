#!/usr/bin/env bash
# Issue 11: K slices of a sliced job, run at once, converge a generated
# subscriber repository with every purge on into exactly the declared state,
# and a second sliced run changes nothing.
#
# Each slice is its own ansible-playbook process, started together and
# --limit'ed to its slice's shard hosts the way AWX slices an inventory: the
# hosts sorted by name, slice k taking hosts[k::K]. Then the _info modules
# read every backend back (verify.yml).
#
#   SLICED_SUBSCRIBERS (2000), SLICED_SHARDS (4), SLICED_SLICES (2)
set -euo pipefail

subscribers=${SLICED_SUBSCRIBERS:-2000}
shards=${SLICED_SHARDS:-4}
slices=${SLICED_SLICES:-2}
config="$(cd ../.. && pwd)/integration_config.yml"  # the emulators' URLs (tasks.py integration)
work="${OUTPUT_DIR:?}/sliced"
inventory="$work/repository/inventory"
rm -rf "$work"
mkdir -p "$work"
extra=(-e "@$config" -e "work=$work" -e "subscriber_count=$subscribers" -e "shard_count=$shards")

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
timings=()

started=$(now)
ansible-playbook setup.yml -i localhost, "${extra[@]}" "$@"
timings+=("setup (generate, seed $(( subscribers / 100 )) leavers and 12 undeclared records per backend): $(since "$started") s")

# The shard hosts as AWX sees them: the plugin's, sorted by name.
with_plugin=(env ANSIBLE_INVENTORY_ENABLED=isp.provisioning.subscribers
             ANSIBLE_INVENTORY_UNPARSED_FAILED=True)
mapfile -t hosts < <("${with_plugin[@]}" ansible provisioning -i "$inventory" --list-hosts \
                     | tail -n +2 | sed 's/^ *//' | sort)
[ "${#hosts[@]}" -eq "$shards" ] || { echo "expected $shards shard hosts, got: ${hosts[*]}"; exit 1; }

slice_hosts() {  # the hosts of slice $1: hosts[k::K]
    local k=$1 picked=()
    for ((i = k; i < ${#hosts[@]}; i += slices)); do picked+=("${hosts[i]}"); done
    local IFS=,
    echo "${picked[*]}"
}

run_slices() {  # $1: the run's name; every slice at once, each its own process
    local run=$1 pids=() k failed=0
    shift
    local began
    began=$(now)
    for ((k = 0; k < slices; k++)); do
        "${with_plugin[@]}" ansible-playbook converge.yml -i "$inventory" \
            --limit "$(slice_hosts "$k")" "${extra[@]}" "$@" > "$work/$run-slice$k.log" 2>&1 &
        pids+=($!)
    done
    for ((k = 0; k < slices; k++)); do
        if ! wait "${pids[k]}"; then
            echo "slice $k of the $run run failed:"
            cat "$work/$run-slice$k.log"
            failed=1
        fi
    done
    [ "$failed" -eq 0 ] || exit 1
    timings+=("$run run, $slices slices at once over $shards shards: $(since "$began") s")
    for ((k = 0; k < slices; k++)); do
        echo "== $run run, slice $k ($(slice_hosts "$k"))"
        # the slice's plan totals, then its recap
        grep -E '^ +"([0-9]+ of [0-9]+ subscribers|(onu|crm|billing|ipdr|erp|billing_equipment):)' \
            "$work/$run-slice$k.log" || true
        sed -n '/^PLAY RECAP/,/^$/p' "$work/$run-slice$k.log"
    done
}

recaps() {  # the recap lines of one run's slices
    cat "$work/$1"-slice*.log | sed -n '/^PLAY RECAP/,/^$/p' | grep 'ok='
}

run_slices first "$@"
[ "$(recaps first | wc -l)" -eq "$shards" ] || { echo "not every shard host ran"; exit 1; }
recaps first | grep -qv 'changed=0 ' || { echo "the first run changed nothing"; exit 1; }

started=$(now)
ansible-playbook verify.yml -i localhost, "${extra[@]}" "$@"
timings+=("verify (read every backend back): $(since "$started") s")

run_slices second "$@"
if recaps second | grep -v 'changed=0 '; then
    echo "the second sliced run changed something (above): the shards flip-flop"
    exit 1
fi

printf '%s\n' "timings for $subscribers subscribers:" "${timings[@]}"
