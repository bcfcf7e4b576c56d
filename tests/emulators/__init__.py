"""Faithful emulators of the backends, for tests and the demo.

``python -m tests.emulators <backend> --host H --port P --db FILE`` serves one;
:func:`tests.emulators.server.start` runs one inside a Python process.

A backend's emulator is the module ``tests/emulators/<backend>.py`` and the
:class:`~tests.emulators.core.Emulator` subclass in it whose ``name`` is that
backend: a new backend adds its module, and nothing here changes.
"""

import importlib
import pkgutil


def _emulators():
    """backend name -> its emulator class, for every emulator module in this folder."""
    from tests.emulators.core import Emulator

    found = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, Emulator)
                    and value.name == info.name):
                found[info.name] = value
    return found


def available():
    """Backends whose emulator is present in this checkout, sorted."""
    return sorted(_emulators())


def emulator_class(backend):
    return _emulators()[backend]
