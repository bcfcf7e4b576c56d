"""Set up and run isp.provisioning's demo and tests: the README's two commands.

    python3 tasks.py demo     # .venv, emulators, playbooks/site.yml twice (2nd: changed=0)
    python3 tasks.py test     # .venv, sanity, unit, integration, lint, docs, molecule

and the steps on their own, for developers:

    python3 tasks.py setup | sanity [FILE...] | units [PYTEST ARGS] |
                     integration [TARGET...] | lint | packaging | molecule | emulators |
                     docs | build | bench [PART...] [OPTIONS]   (not part of test: see
                     docs/performance.md)

Only the Python standard library here: this file runs before the virtual
environment exists.
"""

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(ROOT, ".venv")
BIN = os.path.join(VENV, "bin")
PYTHON = os.path.join(BIN, "python")
REQUIREMENTS = os.path.join(ROOT, "requirements-dev.txt")
COLLECTIONS = os.path.join(ROOT, "build", "collections")
COLLECTION_LINK = os.path.join(COLLECTIONS, "ansible_collections", "isp", "provisioning")
PY = "%d.%d" % sys.version_info[:2]


def say(text):
    print("\n==> %s" % text, flush=True)


def run(command, cwd=ROOT, env=None, check=True):
    print("$ %s" % " ".join(command), flush=True)
    result = subprocess.run(command, cwd=cwd, env=env, check=False)
    if check and result.returncode != 0:
        raise StepFailed("%s exited %d" % (os.path.basename(command[0]), result.returncode))
    return result.returncode


class StepFailed(Exception):
    pass


# --- set-up -------------------------------------------------------------------
def setup():
    """Build .venv/ from requirements-dev.txt, again only when that file changes."""
    if sys.version_info[:2] < (3, 11):
        sys.exit("Python 3.11 or later is needed (ansible-core 2.19); this is %s" % PY)
    wanted = hashlib.sha256()
    for path in requirement_files(REQUIREMENTS):
        with open(path, "rb") as handle:
            wanted.update(handle.read())
    wanted = wanted.hexdigest()
    stamp = os.path.join(VENV, ".requirements.sha256")
    if os.path.exists(stamp) and open(stamp).read().strip() == wanted:
        return
    say("building the virtual environment in .venv/")
    if not os.path.exists(PYTHON):
        run([sys.executable, "-m", "venv", VENV])
    run([PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([PYTHON, "-m", "pip", "install", "--quiet", "-r", REQUIREMENTS])
    with open(stamp, "w") as handle:
        handle.write(wanted)


def requirement_files(path):
    """``path`` and every requirements file its ``-r`` lines include, recursively."""
    found = [path]
    with open(path) as handle:
        for line in handle:
            if line.startswith("-r "):
                found += requirement_files(os.path.join(os.path.dirname(path), line[3:].strip()))
    return found


def environment(**extra):
    env = dict(os.environ)
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    env["ANSIBLE_COLLECTIONS_PATH"] = COLLECTIONS
    env["PYTHONPATH"] = os.pathsep.join([ROOT, COLLECTIONS])
    env.update(extra)
    return env


def link_collection():
    """build/collections/ansible_collections/isp/provisioning -> this checkout."""
    if os.path.islink(COLLECTION_LINK):
        return
    os.makedirs(os.path.dirname(COLLECTION_LINK), exist_ok=True)
    os.symlink(ROOT, COLLECTION_LINK)


def project_files():
    """Files a clean clone would hold plus new ones not ignored: what ansible-test checks."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, check=True, capture_output=True,
        ).stdout.decode().split("\0")
        return [path for path in listed if path and os.path.isfile(os.path.join(ROOT, path))]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "build", ".demo", "output", "__pycache__"}
        found = []
        for folder, dirs, files in os.walk(ROOT):
            dirs[:] = [d for d in dirs if d not in skip]
            found += [os.path.relpath(os.path.join(folder, f), ROOT) for f in files]
        return found


@contextlib.contextmanager
def collection_copy():
    """A copy at .../ansible_collections/isp/provisioning: ansible-test resolves symlinks."""
    top = tempfile.mkdtemp(prefix="isp-provisioning-test-")
    copy = os.path.join(top, "ansible_collections", "isp", "provisioning")
    for path in project_files():
        target = os.path.join(copy, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, path), target)
    try:
        yield copy
    finally:
        shutil.rmtree(top, ignore_errors=True)


def install_get_pip_stand_in():
    """ansible-test downloads get-pip from a host we cannot reach: give it ours."""
    version = subprocess.run(
        [PYTHON, "-c",
         "from ansible_test._internal.python_requirements import get_venv_packages as g;"
         "from ansible_test._internal.host_configs import NativePythonConfig as N;"
         "print(g(N(version='%s'))['pip'])" % PY],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    cache = os.path.expanduser("~/.ansible/test/cache")
    os.makedirs(cache, exist_ok=True)
    shutil.copy(
        os.path.join(ROOT, "tests", "tools", "get_pip_offline.py"),
        os.path.join(cache, "get_pip_%s.py" % version.replace(".", "_")),
    )


def build(output=os.path.join(ROOT, "build")):
    """The collection's tarball, built from a clean copy (what a release uploads); its path."""
    os.makedirs(output, exist_ok=True)
    with collection_copy() as copy:
        built = os.path.join(os.path.dirname(copy), "built")  # removed with the copy
        run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path",
             built], cwd=copy, env=environment())
        (name,) = os.listdir(built)
        shutil.move(os.path.join(built, name), os.path.join(output, name))
    return os.path.join(output, name)


# --- emulators -------------------------------------------------------------------
class EmulatorProcess:
    """One emulator served by the launcher in a child process."""

    def __init__(self, backend, folder, port=0, config=None, name=None):
        self.name = name or backend
        self.db = os.path.join(folder, "%s.sqlite" % self.name)
        self.log = open(os.path.join(folder, "%s.log" % self.name), "w")
        self.process = subprocess.Popen(
            [PYTHON, "-u", "-m", "tests.emulators", backend, "--host", "127.0.0.1",
             "--port", str(port), "--db", self.db],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=self.log, text=True,
        )
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http"):
            self.stop()
            raise StepFailed("the %s emulator did not start (see %s)" % (self.name, self.log.name))
        self.root = "/".join(self.url.split("/")[:3])  # scheme://host:port
        if config:
            try:
                self.call("config", config)
            except OSError:
                self.stop()
                raise

    def call(self, what, body=None):
        request = urllib.request.Request(
            "%s/_emulator/%s" % (self.root, what),
            data=None if body is None else json.dumps(body).encode(),
            method="GET" if body is None else "PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.read().decode()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def emulator_classes():
    """Emulator classes present in this checkout, with their harness and demo settings."""
    code = (
        "import json; from tests.emulators import available, emulator_class as c;"
        "print(json.dumps({b: {'harness': c(b).harness, 'demo': c(b).demo} for b in available()}))"
    )
    output = subprocess.run([PYTHON, "-c", code], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output)


@contextlib.contextmanager
def emulators(mode, folder):
    """Start every emulator: ``harness`` instances on free ports, or ``demo`` ones."""
    started = []
    try:
        for backend, settings in sorted(emulator_classes().items()):
            if mode == "demo":
                demo = settings["demo"]
                started.append(EmulatorProcess(backend, folder, demo["port"], demo["config"]))
            else:
                for name, config in sorted(settings["harness"].items()):
                    started.append(EmulatorProcess(backend, folder, 0, config, name))
        for emulator in started:
            print("    %-16s %s" % (emulator.name, emulator.url))
        yield started
    finally:
        for emulator in started:
            emulator.stop()


# --- steps --------------------------------------------------------------------------
def sanity(files=()):
    install_get_pip_stand_in()
    with collection_copy() as copy:
        run([os.path.join(BIN, "ansible-test"), "sanity", "--local", "--python", PY,
             "--color", "no"] + list(files), cwd=copy, env=environment())


def units(pytest_args=()):
    link_collection()
    # Paths given run alone; options alone apply to the whole suite, spread over
    # two processes (pytest-xdist; -n 0 after it runs it in one).
    paths = ([] if any(os.path.exists(arg.split("::")[0]) for arg in pytest_args)
             else ["tests/unit", "-n", "2"])
    run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--import-mode=importlib"]
        + paths + list(pytest_args), env=environment())


def integration(targets=()):
    work = tempfile.mkdtemp(prefix="isp-emulators-")
    try:
        with emulators("harness", work) as running, collection_copy() as copy:
            config = {}
            for emulator in running:
                config[emulator.name + "_url"] = emulator.url
                config[emulator.name + "_emulator"] = emulator.root
            with open(os.path.join(copy, "tests", "integration",
                                   "integration_config.yml"), "w") as handle:
                json.dump(config, handle, indent=2)
            run([os.path.join(BIN, "ansible-test"), "integration", "--local", "--python", PY,
                 "--color", "no"] + list(targets), cwd=copy, env=environment())
    finally:
        shutil.rmtree(work, ignore_errors=True)


def lint():
    link_collection()
    run([os.path.join(BIN, "ansible-lint"), "--profile", "production"], env=environment())
    run([os.path.join(BIN, "antsibull-changelog"), "lint"], env=environment())
    run([os.path.join(BIN, "antsibull-docs"), "lint-collection-docs", "--plugin-docs", "."],
        env=environment())


def packaging():
    """The built tarball as Galaxy, Automation Hub and ansible-builder meet it."""
    work = tempfile.mkdtemp(prefix="isp-packaging-")
    try:
        tarball = build(work)
        run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
             "tests/packaging"], env=environment(ISP_PROVISIONING_TARBALL=tarball))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def docs():
    """The docs site: the reference generated from the plugins' own documentation,
    and the Markdown guides of docs/; a warning of Sphinx is an error."""
    link_collection()
    output = os.path.join(ROOT, "docs", "_build")
    source, site = os.path.join(output, "rst"), os.path.join(output, "html")
    shutil.rmtree(output, ignore_errors=True)
    os.makedirs(source, mode=0o700)  # antsibull-docs writes only where no one else may
    run([os.path.join(BIN, "antsibull-docs"), "collection", "--use-current", "--squash-hierarchy",
         "--dest-dir", source, "isp.provisioning"], env=environment())
    add_guides(os.path.join(source, "docsite"))
    add_environment_variables(source)
    run([os.path.join(BIN, "sphinx-build"), "-b", "html", "-q", "-W", "--keep-going",
         "-c", os.path.join(ROOT, "docs"), source, site], env=environment())
    say("docs site written to %s" % os.path.relpath(os.path.join(site, "index.html"), ROOT))


# How a module option names the variable it falls back to (the backends' doc
# fragments, plugins/doc_fragments/tls.py, add this line to each).
FALLS_BACK_TO = re.compile(r"If not set, the environment variable E\((ISP_[A-Z0-9_]+)\) is used\.")


# The extra-docs page of docs/docsite/rst/ that lists the index of environment variables.
ENV_INDEX_REFERRER = "reference.rst"


def add_environment_variables(source):
    """Put the variables the modules' options fall back to in the site's index of
    environment variables, each pointing at the options it sets.

    antsibull-docs fills that index only from the ``env`` entries of plugin
    options, which module documentation may not have (ansible-test's
    validate-modules refuses them). Each module option names its variable in
    its description instead, and docs/docsite/config.yml lists them in
    ``envvar_directives`` so that those names link here. The page, generated
    too, is put in the navigation by the extra-docs page that refers to it."""
    folder = os.path.join(ROOT, "plugins", "modules")
    names = sorted("isp.provisioning." + f[:-3] for f in os.listdir(folder)
                   if f.endswith(".py") and f != "__init__.py")
    shown = json.loads(subprocess.run(
        [os.path.join(BIN, "ansible-doc"), "--json"] + names,
        check=True, capture_output=True, text=True, env=environment()).stdout)
    setters = {}  # variable -> [(module, option)]
    for module, entry in sorted(shown.items()):
        for option, spec in sorted(entry["doc"]["options"].items()):
            for line in spec["description"]:
                for variable in FALLS_BACK_TO.findall(line):
                    setters.setdefault(variable, []).append((module, option))
    entries = []
    for variable, options in sorted(setters.items()):
        links = ", ".join(":ansopt:`%s#module:%s`" % pair for pair in options)
        entries.append(".. envvar:: %s\n\n    The value of %s when a task does not set it;"
                       " empty is not set.\n" % (variable, links))
    page = os.path.join(source, "environment_variables.rst")
    with open(page) as handle:
        text = handle.read()
    # not an orphan: the build (-W) then fails if the page falls out of the navigation
    text = text.replace(":orphan:\n", "", 1)
    with open(page, "w") as handle:
        handle.write(text.replace("No environment variables have been defined.\n",
                                  "\n".join(entries)))
    with open(os.path.join(source, "docsite", ENV_INDEX_REFERRER), "a") as handle:
        handle.write("\n.. toctree::\n   :maxdepth: 1\n\n   /environment_variables\n")


# Each extra-docs page of docs/docsite/rst/ that lists a folder of Markdown guides.
GUIDE_FOLDERS = {"guides.rst": "", "backends.rst": "backends"}


def add_guides(docsite):
    """Copy the guides into the site's source, keeping their relative links, and
    list every guide present on its folder's page: a new guide needs no entry."""
    for page, folder in GUIDE_FOLDERS.items():
        guides = os.path.join(ROOT, "docs", folder)
        names = sorted(name[:-3] for name in os.listdir(guides) if name.endswith(".md"))
        names.sort(key=lambda name: name != "getting-started")  # a new user's first page leads
        os.makedirs(os.path.join(docsite, folder), exist_ok=True)
        for name in names:
            shutil.copy(os.path.join(guides, name + ".md"), os.path.join(docsite, folder))
        with open(os.path.join(docsite, page), "a") as handle:
            handle.write("\n.. toctree::\n   :maxdepth: 1\n\n")
            handle.writelines("   %s\n" % os.path.join(folder, name) for name in names)


def molecule():
    link_collection()
    work = tempfile.mkdtemp(prefix="isp-molecule-")
    try:
        onu = EmulatorProcess("onu", work)
        try:
            env = environment(ISP_ONU_URL=onu.url, ISP_ONU_USERNAME="operator",
                              ISP_ONU_PASSWORD="operator123",
                              XDG_CACHE_HOME=os.path.join(work, "cache"))
            run([os.path.join(BIN, "molecule"), "test"],
                cwd=os.path.join(ROOT, "extensions"), env=env)
        finally:
            onu.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def playbook_run(env, *options):
    """Run the demo playbook; return its PLAY RECAP lines."""
    command = [os.path.join(BIN, "ansible-playbook"), "-i", "playbooks/inventory",
               "playbooks/site.yml"] + list(options)
    print("$ %s" % " ".join(command), flush=True)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    recap, in_recap = [], False
    for line in process.stdout:
        sys.stdout.write(line)
        in_recap = in_recap or line.startswith("PLAY RECAP")
        if in_recap and ":" in line and "ok=" in line:
            recap.append(line)
    if process.wait() != 0:
        raise StepFailed("ansible-playbook exited %d" % process.returncode)
    return recap


def demo():
    link_collection()
    folder = os.path.join(ROOT, ".demo")
    shutil.rmtree(folder, ignore_errors=True)  # every demo starts from the seed data
    os.makedirs(folder)
    # playbooks/ansible.cfg enables the subscriber inventory plugin and makes a
    # repository with problems stop the run (Ansible reads ansible.cfg from the
    # working directory, and the demo runs from here).
    env = environment(XDG_CACHE_HOME=os.path.join(folder, "cache"),
                      ANSIBLE_CONFIG=os.path.join(ROOT, "playbooks", "ansible.cfg"))
    with emulators("demo", folder):
        say("first run: converge the demo subscriber repository into the emulators (with --diff)")
        playbook_run(env, "--diff")
        say("second run: nothing left to change")
        recap = playbook_run(env)
    if not recap or any("changed=0" not in line for line in recap):
        raise StepFailed("the second run changed something: %s" % "".join(recap))
    say("demo done: the second run reported changed=0")


def serve_emulators():
    link_collection()
    folder = os.path.join(ROOT, ".demo")
    os.makedirs(folder, exist_ok=True)
    with emulators("demo", folder):
        print("serving on the demo ports; Ctrl-C stops them", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


def bench(args=()):
    """The benchmark (tests/bench/): minutes to hours, so never part of ``test``."""
    link_collection()
    run([PYTHON, "-m", "tests.bench"] + list(args), env=environment())


def test_all():
    steps = [("sanity", sanity), ("units", units), ("integration", integration),
             ("lint", lint), ("packaging", packaging), ("docs", docs), ("molecule", molecule)]
    failed = []
    for name, step in steps:
        say("%s" % name)
        started = time.time()
        try:
            step()
        except (StepFailed, OSError, subprocess.SubprocessError) as exc:
            # one broken step must not hide the others' results
            failed.append(name)
            print("FAILED: %s: %s" % (name, exc), flush=True)
        print("    (%s: %.0f s)" % (name, time.time() - started), flush=True)
    print("\nsteps: %d passed, %d failed" % (len(steps) - len(failed), len(failed)))
    if failed:
        raise StepFailed("failed steps: %s" % ", ".join(failed))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("command", choices=["demo", "test", "setup", "sanity", "units",
                                            "integration", "lint", "packaging", "molecule",
                                            "emulators", "docs", "build", "bench"])
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    # A CI time-out sends SIGTERM: leave through the finally blocks that stop
    # the emulators, so that nothing keeps the demo's ports.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    setup()
    commands = {
        "demo": demo, "test": test_all, "setup": lambda: None, "lint": lint,
        "molecule": molecule, "emulators": serve_emulators, "docs": docs,
        "packaging": packaging, "build": lambda: say("built %s" % build()),
        "sanity": lambda: sanity(options.args), "units": lambda: units(options.args),
        "integration": lambda: integration(options.args),
        "bench": lambda: bench(options.args),
    }
    try:
        commands[options.command]()
    except StepFailed as exc:
        print("\nFAILED: %s" % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
