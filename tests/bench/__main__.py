"""``python3 tasks.py bench [PART ...] [options]``: what the collection costs at scale.

Starts every emulator in its own process, then measures whole
``ansible-playbook`` runs against them and prints one table per part:

* ``backends``: per backend and N (100, 1,000, 10,000 records in one bulk
  task), the run that changes nothing (the emulator seeded with the N records
  declared) - wall time of the whole run, the task's own time, requests per
  endpoint (the emulator's counters), the emulator's CPU, peak memory (PSS)
  of the run - and, up to ``--create-max`` records, the run that creates them.
* ``loop``: the same no-op records as one bulk task and as a ``loop:``.
* ``latency``: 1,000 creates with 20 ms added to every request, against the
  bound 1.5 x (1,000 x 20 ms / concurrency) + the run's fixed start-up cost.
* ``subscribers``: the subscriber converge (inventory plugin, shards, the
  role) at 20,000 and 200,000 subscribers, every emulator seeded with them
  (``data.seeded``): the run as one process, and up to ``--sliced-max``
  subscribers as K slices run at once (each limited to its shard hosts, as
  AWX runs a sliced job). Each is a no-op; the slowest tasks and the
  processes at the memory peak go to ``runs.log``.
* ``slices``: creates of subscribers against latency-bound backends (20 ms),
  one slice against K slices at once: the throughput ratio.
* ``shard``: what one shard's task pays for a backend's whole list: per
  backend with a list call, the emulator seeded with ``--backend-records``
  subscribers' records and one no-op task declaring shard 0's share of them
  (``--shard-size`` a shard), purging its partition as the subscribers role
  does - the run, the task, the module's peak memory, the emulator's CPU.
* ``emulators``: each emulator's median service time per endpoint at 1,000
  and at 200,000 stored records (``tests.emulators.servicetime``), so that
  the emulators are not what the other parts measure.

Every figure is measured in the same run on the same machine; compare
ratios, not seconds, between machines. Results are also written as JSON to
``build/bench/results.json``.
"""

import argparse
import importlib
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request

import tasks
from tests.bench import data
from tests.bench.measure import Run, cpu_seconds, task_times
from tests.emulators import servicetime

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(tasks.ROOT, "build", "bench")

# section -> (action group, emulator instance, connection options)
CONNECTIONS = {
    "onu": ("onu", "onu", {"username": "operator", "password": "operator123"}),
    "crm": ("crm", "crm", {"userid": 5,
                           "api_key": "0f9895fb407c83e5ea128082098b47681aa75d6944576423c4"}),
    "billing": ("simpler", "simpler", {"api_username": "username", "api_password": "password",
                                       "operator": "operator", "transport": "rest"}),
    "ipdr": ("ipdr", "ipdr", {"username": "user", "api_token": "GiXwBWWv5g2Fs6QeaTlx",
                              "context": "default"}),
    "erp": ("userside", "userside", {"api_key": "userside-test-key"}),
}
CONNECTIONS["billing_equipment"] = CONNECTIONS["billing"]
# The sections whose backend answers its whole list to one call (or paged: the CRM).
LISTED = ("onu", "crm", "ipdr", "billing_equipment")
# The prefix of the subscribers the emulators are seeded with (data.seeded).
SEEDED = "SD"
# The role's variable prefix per action group (onu_url, crm_api_key, ...).
ROLE_PREFIX = {"onu": "onu", "crm": "crm", "simpler": "simpler", "ipdr": "ipdr",
               "userside": "userside"}


class Bench:
    def __init__(self, work, emulators):
        self.work = work
        self.emulators = {emulator.name: emulator for emulator in emulators}
        self.results = []
        self.log = open(os.path.join(work, "runs.log"), "w")
        with open(os.path.join(work, "ansible.cfg"), "w") as handle:
            handle.write(
                "[defaults]\n"
                f"callback_plugins = {os.path.join(HERE, 'callback')}\n"
                "callbacks_enabled = bench_timer\n"
                "forks = 8\n"
                "[inventory]\n"
                "enable_plugins = isp.provisioning.subscribers, host_list, ini\n"
                "unparsed_is_failed = true\n")

    # --- plumbing -----------------------------------------------------------------
    def control(self, instance, what, body=None, method=None):
        emulator = self.emulators[instance]
        request = urllib.request.Request(
            f"{emulator.root}/_emulator/{what}",
            data=None if body is None else json.dumps(body).encode(),
            method=method or ("GET" if body is None else "PUT"),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=600) as answer:
            return json.loads(answer.read().decode() or "null")

    def reset(self, instance):
        self.control(instance, "reset", {}, method="POST")
        self.control(instance, "faults", {"latency_ms": 0, "fail_percent": 0, "drop_writes": 0})

    def playbook(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w") as handle:
            handle.write(text)
        return path

    def run(self, commands, label):
        """Run commands at once; (seconds, peak memory (PSS), task times, exit codes)."""
        times = os.path.join(self.work, "times.jsonl")
        if os.path.exists(times):
            os.unlink(times)
        env = tasks.environment(ANSIBLE_CONFIG=os.path.join(self.work, "ansible.cfg"),
                                BENCH_TIMES=times, ANSIBLE_PYTHON_INTERPRETER=tasks.PYTHON)
        self.log.write(f"\n===== {label}\n")
        self.log.flush()
        run = Run(commands, env, self.work, self.log)
        codes = run.wait()
        self.module_peak = run.module_peak
        self.ansible_cpu = run.cpu
        self.log.write(f"----- {label}: {run.seconds:.1f} s; at the memory peak, "
                       f"{run.peak / 2 ** 20:.0f} MB:\n" + "".join(
                           f"  {pss / 2 ** 20:7.0f} MB  {command}\n"
                           for pss, command in run.at_peak[:12]))
        for name, seconds in longest_tasks(task_times(times)):
            self.log.write(f"  task {seconds:8.1f} s  {name}\n")
        self.log.flush()
        return run.seconds, run.peak, task_times(times), codes

    def emulator_cpu(self, instance):
        return cpu_seconds(self.emulators[instance].process.pid)

    def counters(self, instance):
        counted = self.control(instance, "counters")
        return {**counted["reads"], **counted["writes"]}, counted["total_reads"] + counted[
            "total_writes"]

    # --- one bulk task ------------------------------------------------------------
    def bulk_playbook(self, section, vars_file, loop=False, task_options=()):
        group, instance, options = CONNECTIONS[section]
        module, plural = data.MODULES[section]
        connection = dict(options, url=self.emulators[instance].url)
        if loop:
            task = (f"      isp.provisioning.{module}: \"{{{{ item }}}}\"\n"
                    f"      loop: \"{{{{ records }}}}\"\n")
        else:
            task = (f"      isp.provisioning.{module}:\n"
                    f"        {plural}: \"{{{{ records }}}}\"\n" + "".join(
                        f"        {name}: \"{{{{ task_options.{name} }}}}\"\n"
                        for name in task_options))
        # The records are read as JSON by a lookup: vars_files would load them
        # through ansible-core's YAML loader and deep copy, 2 s per 10,000 CRM
        # records before the task starts (docs/performance.md).
        return self.playbook(f"{section}{'_loop' if loop else ''}.yml", (
            "- hosts: localhost\n  connection: local\n  gather_facts: false\n"
            "  vars:\n    records: \"{{ (lookup('ansible.builtin.file', "
            f"'{vars_file}') | ansible.builtin.from_json).records }}}}\"\n"
            "    task_options: \"{{ (lookup('ansible.builtin.file', "
            f"'{vars_file}') | ansible.builtin.from_json).options | default({{}}) }}}}\"\n"
            f"  module_defaults:\n    group/isp.provisioning.{group}: {json.dumps(connection)}\n"
            "  tasks:\n"
            f"    - name: {module}\n" + task))

    def bulk(self, section, count, label, loop=False, prefix="BN", vars_file=None, options=()):
        """One measured run of ``count`` records (or of ``vars_file``'s records and
        task ``options``); a row of the table."""
        instance = CONNECTIONS[section][1]
        if vars_file is None:
            vars_file = os.path.join(self.work, f"{section}_{prefix}_{count}.json")
            if not os.path.exists(vars_file):
                make = data.seeded if prefix == SEEDED else data.subscriber
                data.write_vars(vars_file, "records", data.records(count, section, prefix, make))
        playbook = self.bulk_playbook(section, vars_file, loop, options)
        self.control(instance, "counters", {}, method="DELETE")
        cpu = self.emulator_cpu(instance)
        seconds, peak, times, codes = self.run(
            [[os.path.join(tasks.BIN, "ansible-playbook"), "-i", "localhost,", playbook]],
            f"{section} {count} {label}")
        endpoints, requests = self.counters(instance)
        task = [t for t in times if t["task"].startswith(data.MODULES[section][0])]
        row = {
            "part": "loop" if loop else "backends", "backend": section, "records": count,
            "run": label, "seconds": round(seconds, 2),
            "task_seconds": round(sum(t["seconds"] for t in task), 2),
            "changed": sum(t["changed"] for t in task), "failed": sum(t["failed"] for t in task),
            "requests": requests, "endpoints": endpoints,
            "emulator_cpu": round(self.emulator_cpu(instance) - cpu, 2),
            "ansible_cpu": round(self.ansible_cpu, 2),
            "peak_mb": round(peak / 2 ** 20), "module_mb": round(self.module_peak / 2 ** 20),
            "exit": codes[0],
        }
        self.results.append(row)
        print(format_row(row), flush=True)
        return row

    # --- parts --------------------------------------------------------------------
    def seed(self, instance, count):
        """The emulator reset, then holding the ``count`` subscribers of data.seeded."""
        self.reset(instance)
        self.control(instance, "seed", {"count": count, "prefix": SEEDED}, method="POST")

    def backends(self, sizes, sections, create_max):
        for section in sections:
            for count in sizes:
                instance = CONNECTIONS[section][1]
                if count <= create_max:
                    self.reset(instance)
                    self.bulk(section, count, "create")
                self.seed(instance, count)
                self.bulk(section, count, "no-op (seeded)", prefix=SEEDED)

    def shard(self, backend_records, shard_size, sections):
        """One shard's no-op task against a backend holding every shard's records."""
        shards = max(1, backend_records // shard_size)
        for section in sections:
            vars_file = os.path.join(self.work, f"{section}_shard_{backend_records}_{shards}.json")
            records, options = data.shard_task(section, backend_records, shards, SEEDED)
            options = dict(options, result_records=False, results="changed")
            with open(vars_file, "w") as handle:
                json.dump({"records": records, "options": options}, handle)
            self.seed(CONNECTIONS[section][1], backend_records)
            self.bulk(section, len(records), f"shard 1/{shards} of {backend_records}",
                      vars_file=vars_file, options=options)

    def loop(self, count, section="onu"):
        self.seed(CONNECTIONS[section][1], count)
        bulk = self.bulk(section, count, "no-op (seeded)", prefix=SEEDED)
        looped = self.bulk(section, count, "no-op (seeded)", loop=True, prefix=SEEDED)
        ratio = looped["seconds"] / bulk["seconds"]
        self.results.append({"part": "loop-ratio", "records": count, "ratio": round(ratio, 1)})
        print(f"    loop / bulk at {count} records: {ratio:.1f} x", flush=True)

    def latency(self, count, latency_ms, section="onu"):
        instance = CONNECTIONS[section][1]
        concurrency = self.concurrency(section)
        self.reset(instance)
        self.control(instance, "faults", {"latency_ms": latency_ms})
        start_up = self.bulk(section, 1, f"create 1 at {latency_ms} ms")["seconds"]
        self.reset(instance)
        self.control(instance, "faults", {"latency_ms": latency_ms})
        row = self.bulk(section, count, f"create at {latency_ms} ms")
        self.reset(instance)
        bound = 1.5 * count * latency_ms / 1000.0 / concurrency + start_up
        self.results.append({"part": "latency", "records": count, "seconds": row["seconds"],
                             "concurrency": concurrency, "start_up": start_up,
                             "bound": round(bound, 2)})
        print(f"    {count} creates at {latency_ms} ms, concurrency {concurrency}: "
              f"{row['seconds']:.1f} s; bound {bound:.1f} s (start-up {start_up:.1f} s)",
              flush=True)

    @staticmethod
    def concurrency(section):
        """The backend's default concurrency (what a task without the option uses)."""
        folder = {"onu": "onu", "crm": "crm", "billing": "simpler", "ipdr": "ipdr",
                  "erp": "userside", "billing_equipment": "simpler"}[section]
        client = importlib.import_module(
            f"ansible_collections.isp.provisioning.plugins.module_utils.{folder}.client")
        return client.CONCURRENCY

    # --- the subscriber layer -------------------------------------------------------
    def repository(self, count, shards, prefix="BN", make=data.subscriber):
        folder = os.path.join(self.work, f"repo_{prefix}_{count}_{shards}")
        if os.path.exists(folder):
            return folder
        data.write_repository(os.path.join(folder, "subscribers"), count, prefix=prefix,
                              make=make)
        os.makedirs(os.path.join(folder, "inventory", "group_vars"))
        with open(os.path.join(folder, "inventory", "subscribers.yml"), "w") as handle:
            handle.write(f"plugin: isp.provisioning.subscribers\npath: ../subscribers\n"
                         f"shards: {shards}\n")
        connection = {}
        for section, (group, instance, options) in CONNECTIONS.items():
            prefix_ = ROLE_PREFIX[group]
            connection[f"{prefix_}_url"] = self.emulators[instance].url
            connection.update((f"{prefix_}_{key}", value) for key, value in options.items())
        with open(os.path.join(folder, "inventory", "group_vars", "all.json"), "w") as handle:
            json.dump(connection, handle)
        with open(os.path.join(folder, "site.yml"), "w") as handle:
            handle.write("- hosts: provisioning\n  gather_facts: false\n"
                         "  roles: [isp.provisioning.subscribers]\n")
        return folder

    def converge(self, folder, shards, slices, label, count, forks):
        """One run as ``slices`` processes at once, each limited to its shard hosts
        (AWX's ``hosts[k::K]``) and converging ``forks`` of them at a time."""
        hosts = [f"subscribers_{index:0{len(str(shards - 1))}d}" for index in range(shards)] \
            if shards > 1 else ["subscribers"]
        commands = []
        for k in range(slices):
            mine = hosts[k::slices]
            commands.append([os.path.join(tasks.BIN, "ansible-playbook"),
                             "-i", os.path.join(folder, "inventory"), "--forks", str(forks),
                             os.path.join(folder, "site.yml"), "--limit", ",".join(mine)])
        cpu = {name: self.emulator_cpu(name) for name in self.emulators}
        for name in self.emulators:
            self.control(name, "counters", {}, method="DELETE")
        seconds, peak, times, codes = self.run(commands, f"subscribers {count} {label}")
        backend_tasks = [t for t in times if "Converge the subscribers" in t["task"]]  # "role : name"
        row = {
            "part": "subscribers", "subscribers": count, "shards": shards, "slices": slices,
            "forks": forks,
            "run": label, "seconds": round(seconds, 2), "peak_mb": round(peak / 2 ** 20),
            "changed_tasks": sum(t["changed"] for t in backend_tasks),
            "failed_tasks": sum(t["failed"] for t in backend_tasks),
            "requests": sum(self.counters(name)[1] for name in self.emulators),
            "emulator_cpu": round(sum(self.emulator_cpu(n) - cpu[n] for n in self.emulators), 1),
            "ansible_cpu": round(self.ansible_cpu, 1),
            "exit": max(codes),
        }
        self.results.append(row)
        print(format_subscriber_row(row), flush=True)
        return row

    def subscribers(self, counts, shards_per, slices, forks, sliced_max):
        """Each count: the emulators seeded with as many subscribers (every backend's
        record as the repository declares it), then the converge that finds them."""
        for count in counts:
            for name in self.emulators:
                self.reset(name)
                self.control(name, "seed", {"count": count, "prefix": SEEDED}, method="POST")
            shards = max(slices, count // shards_per)
            folder = self.repository(count, shards, prefix=SEEDED, make=data.seeded)
            self.converge(folder, shards, 1, "no-op (seeded), 1 process", count, forks)
            if count <= sliced_max:
                # AWX's forks per slice: the slice's shards at once (docs/awx.md).
                self.converge(folder, shards, slices, f"no-op, {slices} slices", count,
                              max(1, shards // slices))

    def slices(self, count, slices, latency_ms):
        """K shards converged by one slice (one shard at a time, as one execution
        node with forks N / K runs them) and by K slices at once."""
        rows = []
        for parallel in (1, slices):
            for name in self.emulators:
                self.reset(name)
                self.control(name, "faults", {"latency_ms": latency_ms})
            folder = self.repository(count, slices, prefix="SL")
            rows.append(self.converge(folder, slices, parallel,
                                      f"creates at {latency_ms} ms, {parallel} slice(s)", count,
                                      forks=1))
        for name in self.emulators:
            self.reset(name)
        ratio = rows[0]["seconds"] / rows[1]["seconds"]
        self.results.append({"part": "slices-ratio", "subscribers": count, "slices": slices,
                             "ratio": round(ratio, 2)})
        print(f"    throughput of {slices} slices / 1 slice: {ratio:.2f} x", flush=True)


def longest_tasks(times, count=12):
    """(task, seconds) of the slowest tasks, each its longest over the hosts."""
    longest = {}
    for entry in times:
        longest[entry["task"]] = max(longest.get(entry["task"], 0), entry["seconds"])
    return sorted(longest.items(), key=lambda item: -item[1])[:count]


def format_row(row):
    top = sorted(row["endpoints"].items(), key=lambda kv: -kv[1])[:3]
    return (f"{row['part']:9} {row['backend']:17} {row['records']:>7} {row['run']:22} "
            f"{row['seconds']:7.2f} s  task {row['task_seconds']:7.2f} s  "
            f"emulator CPU {row['emulator_cpu']:6.2f} s  ansible CPU {row['ansible_cpu']:6.2f} s  "
            f"{row['peak_mb']:5} MB "
            f"(module {row['module_mb']} MB)  "
            f"changed {row['changed']} failed {row['failed']}  {row['requests']} requests "
            + ", ".join(f"{name.rsplit('/', 1)[-1]}={n}" for name, n in top))


def format_subscriber_row(row):
    return (f"subscribers {row['subscribers']:>7} shards {row['shards']:>3} "
            f"{row['run']:32} {row['seconds']:8.1f} s  {row['peak_mb']:6} MB  "
            f"emulator CPU {row['emulator_cpu']:7.1f} s  ansible CPU {row['ansible_cpu']:7.1f} s  "
            f"{row['requests']} requests  "
            f"changed tasks {row['changed_tasks']} failed tasks {row['failed_tasks']} "
            f"exit {row['exit']}")


def main(argv):
    parser = argparse.ArgumentParser(prog="tasks.py bench", description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("parts", nargs="*", default=["backends", "loop", "latency",
                                                     "subscribers", "slices", "emulators"])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--create-max", type=int, default=1000,
                        help="the largest N whose creates the backends part measures")
    parser.add_argument("--sections", help="backend sections (default: every one; for "
                        f"shard, those with a list call: {','.join(LISTED)})")
    parser.add_argument("--loop-records", type=int, default=1000)
    parser.add_argument("--latency-records", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--subscribers", default="20000,200000")
    parser.add_argument("--shard-size", type=int, default=10000,
                        help="subscribers per shard host")
    parser.add_argument("--backend-records", type=int, default=200000,
                        help="the records each backend holds in the shard part")
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument("--sliced-max", type=int, default=20000,
                        help="the most subscribers also converged as --slices slices")
    parser.add_argument("--forks", type=int, default=4,
                        help="shard hosts one process converges at a time")
    parser.add_argument("--slice-subscribers", type=int, default=2000)
    options = parser.parse_args(argv)
    work = tempfile.mkdtemp(prefix="isp-bench-")
    os.makedirs(OUT, exist_ok=True)
    tasks.link_collection()
    try:
        with tasks.emulators("harness", work) as running:
            bench = Bench(work, running)
            try:
                for part in options.parts:
                    print(f"\n== {part}", flush=True)
                    if part == "backends":
                        bench.backends([int(n) for n in options.sizes.split(",")],
                                       (options.sections or ",".join(data.MODULES)).split(","),
                                       options.create_max)
                    elif part == "loop":
                        bench.loop(options.loop_records)
                    elif part == "latency":
                        bench.latency(options.latency_records, options.latency_ms)
                    elif part == "subscribers":
                        bench.subscribers([int(n) for n in options.subscribers.split(",")],
                                          options.shard_size, options.slices, options.forks,
                                          options.sliced_max)
                    elif part == "slices":
                        bench.slices(options.slice_subscribers, options.slices,
                                     options.latency_ms)
                    elif part == "shard":
                        bench.shard(options.backend_records, options.shard_size,
                                    (options.sections or ",".join(LISTED)).split(","))
                    elif part == "emulators":
                        servicetime.main(["--json", os.path.join(OUT, "servicetime.json")])
                    else:
                        parser.error(f"unknown part {part}")
            finally:
                with open(os.path.join(OUT, "results.json"), "w") as handle:
                    json.dump(bench.results, handle, indent=1)
                shutil.copy(os.path.join(work, "runs.log"), os.path.join(OUT, "runs.log"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nresults: {os.path.join(OUT, 'results.json')}; ansible output: "
          f"{os.path.join(OUT, 'runs.log')}")
    return 0


if __name__ == "__main__":
    started = time.time()
    code = main(sys.argv[1:])
    print(f"bench: {time.time() - started:.0f} s")
    sys.exit(code)
