"""How a user's shell differs from the test run's: no checkout on any path."""

import os
import subprocess

import tasks


def user_environment(**extra):
    """This process's environment without the checkout on any path: a user's shell."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "ANSIBLE_COLLECTIONS_PATH")}
    env["PATH"] = tasks.BIN + os.pathsep + env.get("PATH", "")
    env.update(extra)
    return env


def run(command, **options):
    """``command`` as a user runs it; fails showing what it printed."""
    result = subprocess.run(command, env=options.pop("env", None) or user_environment(),
                            check=False, capture_output=True, text=True, **options)
    assert result.returncode == 0, "%s exited %d:\n%s%s" % (
        " ".join(command), result.returncode, result.stdout, result.stderr)
    return result
