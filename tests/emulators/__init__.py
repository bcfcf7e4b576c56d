"""Faithful emulators of the five backends, for tests and the demo.

``python -m tests.emulators <backend> --host H --port P --db FILE`` serves one;
:func:`tests.emulators.server.start` runs one inside a Python process.
"""

import importlib

# backend name -> "module:class"; imported only when asked for.
BACKENDS = {
    "onu": "tests.emulators.onu:OnuEmulator",
    "crm": "tests.emulators.crm:CrmEmulator",
    "simpler": "tests.emulators.simpler:SimplerEmulator",
    "ipdr": "tests.emulators.ipdr:IpdrEmulator",
    "userside": "tests.emulators.userside:UsersideEmulator",
}


def emulator_class(backend):
    module_name, class_name = BACKENDS[backend].split(":")
    return getattr(importlib.import_module(module_name), class_name)


def available():
    """Backends whose emulator is present in this checkout."""
    found = []
    for backend in BACKENDS:
        try:
            emulator_class(backend)
        except ImportError:
            continue
        found.append(backend)
    return found
