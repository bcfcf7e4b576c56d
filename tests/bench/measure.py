"""Measuring a run: wall time, peak memory of a whole process tree, a process's CPU time.

Memory is the sum of each process's proportional set size (PSS): Ansible's
forks share the controller's pages copy-on-write, and summing their RSS would
count the inventory once per fork. PSS counts a page shared by N processes
as 1/N in each, so the sum is the memory the run really holds.
"""

import json
import os
import subprocess
import threading
import time

TICKS = os.sysconf("SC_CLK_TCK")


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
    parents = _children()
    wanted, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in wanted and pid not in wanted:
                wanted.add(pid)
                grew = True
    total = 0
    for pid in wanted:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, IndexError, ValueError):
            continue
    return total


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Run:
    """Commands started together; ``wait()`` gives wall time; ``peak`` their peak memory."""

    def __init__(self, commands, env, cwd, log):
        self.started = time.monotonic()
        self.processes = [subprocess.Popen(command, env=env, cwd=cwd, stdout=log,
                                           stderr=subprocess.STDOUT) for command in commands]
        self.peak = 0
        self._done = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self):
        while not self._done.is_set():
            self.peak = max(self.peak, sum(tree_memory(p.pid) for p in self.processes))
            self._done.wait(0.2)

    def wait(self):
        codes = [process.wait() for process in self.processes]
        self.seconds = time.monotonic() - self.started
        self._done.set()
        self._sampler.join()
        return codes


def task_times(path):
    """The bench_timer callback's lines."""
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]
