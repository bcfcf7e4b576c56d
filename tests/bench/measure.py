"""Measuring a run: wall time, peak memory of a whole process tree, a process's CPU time.

Memory is the sum of each process's proportional set size (PSS): Ansible's
forks share the controller's pages copy-on-write, and summing their RSS would
count the inventory once per fork. PSS counts a page shared by N processes
as 1/N in each, so the sum is the memory the run really holds.

Reading a process's PSS makes the kernel walk its page tables: ~10 ms of CPU for
a 1 GB controller, five of them (the controller and its forks) a sample. Sampled
every 0.2 s that was 0.15-0.3 of a core taken from the run it measures on a
2-core machine. So the tree's resident size (``statm``, a counter the kernel
keeps) is read every 0.2 s, and the PSS once a second, or at once when the
resident size grew or a process started: what a process allocates shows in
its RSS at the next tick; pages a fork un-shares by writing do not, and wait
for the next second. A module that lives less than a second may be measured
before its peak.
"""

import json
import os
import resource
import subprocess
import threading
import time

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
PSS_EVERY = 1.0  # seconds between two PSS samples while the resident size holds


def _children():
    """pid -> parent pid, for every process."""
    parents = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            parents[int(name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    return parents


def tree_memory(root):
    """Memory (PSS), in bytes, of ``root`` and every process below it."""
    return sum(pss for pss, _command in tree_processes(root))


def _command_of(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            words = handle.read().split(b"\0")
    except OSError:
        return "?"
    return " ".join(word.decode(errors="replace") for word in words[:3])[:120]


def tree_pids(root, parents=None):
    """``root`` and every process below it (in ``parents``, if read already)."""
    parents = _children() if parents is None else parents
    wanted, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in wanted and pid not in wanted:
                wanted.add(pid)
                grew = True
    return wanted


def resident(pids):
    """Resident bytes of ``pids`` summed (shared pages once per process that maps them)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def tree_processes(root, pids=None):
    """(PSS in bytes, command) of ``root`` and every process below it (``pids``, if
    already known)."""
    found = []
    for pid in tree_pids(root) if pids is None else pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        found.append((int(line.split()[1]) * 1024, _command_of(pid)))
                        break
        except (OSError, IndexError, ValueError):
            continue
    return found


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def children_cpu_seconds():
    """User + system CPU seconds of this process's children that were waited for, and
    of theirs: a finished ``ansible-playbook`` with its forks and modules."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Run:
    """Commands started together; ``wait()`` gives wall time; ``peak`` their peak memory."""

    def __init__(self, commands, env, cwd, log):
        self.started = time.monotonic()
        self._children_cpu = children_cpu_seconds()
        self.processes = [subprocess.Popen(command, env=env, cwd=cwd, stdout=log,
                                           stderr=subprocess.STDOUT) for command in commands]
        self.peak = 0
        # the largest module process (run from Ansible's remote tmp) at any sample
        self.module_peak = 0
        # the processes at the peak, largest first: what the memory was
        self.at_peak = []
        self._done = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self):
        measured_at, measured_rss, seen = 0.0, 0, set()
        while not self._done.is_set():
            parents = _children()  # one scan of /proc for every command's tree
            trees = {p.pid: tree_pids(p.pid, parents) for p in self.processes}
            pids = set().union(*trees.values())
            rss = resident(pids)
            # A process new since the last tick (a module: its RSS is a sliver of
            # the tree's, where each fork counts the controller's pages again).
            if (time.monotonic() - measured_at >= PSS_EVERY or rss > measured_rss * 1.02
                    or not pids <= seen):
                measured_at, measured_rss = time.monotonic(), rss
                self._measure(trees)
            seen = pids
            self._done.wait(0.2)

    def _measure(self, trees):
        processes = [found for root, pids in trees.items()
                     for found in tree_processes(root, pids)]
        total = sum(pss for pss, _command in processes)
        self.module_peak = max([self.module_peak] + [
            pss for pss, command in processes if "/ansible-tmp-" in command])
        if total > self.peak:
            self.peak, self.at_peak = total, sorted(processes, reverse=True)

    def wait(self):
        codes = [process.wait() for process in self.processes]
        self.seconds = time.monotonic() - self.started
        # every process of the run: each was waited for by its parent, up to these
        self.cpu = children_cpu_seconds() - self._children_cpu
        self._done.set()
        self._sampler.join()
        return codes


def task_times(path):
    """The bench_timer callback's lines."""
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]
