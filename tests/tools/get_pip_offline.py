"""Offline stand-in for ansible-test's pip bootstrap script (get-pip.py).

ansible-test builds a virtual environment per sanity test and bootstraps pip
into it with a get-pip script that it downloads from a host the project's
machines cannot reach. ``tasks.py`` puts this file where ansible-test caches
that script. Like get-pip.py, it takes pip install arguments: it installs pip
from the interpreter's own ``ensurepip``, then runs pip with those arguments
(the packages come from the package index, which is reachable).
"""

import subprocess
import sys

# get-pip.py options that `pip install` does not know.
GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")


def main():
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)


if __name__ == "__main__":
    main()
