"""Launcher: ``python -m tests.emulators <backend> --host H --port P --db FILE [options]``.

Prints the URL it serves (the folder a module's ``url`` option names) on its
first line, then serves until stopped (SIGINT or SIGTERM).
``--seed-records N`` starts a new database (and every reset) with N generated
records besides the seed data (the shape is in the emulator's docstring); a
database that exists keeps what it holds.
"""

import argparse
import signal
import sys

from tests.emulators import available, emulator_class
from tests.emulators.server import make_server, run, url_of


def parse(argv):
    # --help waits for the second pass, which knows the backend's own options.
    parser = argparse.ArgumentParser(prog="python -m tests.emulators", add_help=False)
    parser.add_argument("backend", choices=available())
    known = parser.parse_known_args(argv)[0]
    parser.add_argument("-h", "--help", action="help", help="show this help and exit")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--db", required=True, help="SQLite file; kept across restarts")
    parser.add_argument("--seed-records", type=int, default=0, metavar="N",
                        help="generated records a new or reset database starts with")
    parser.add_argument("--seed-prefix", default=None,
                        help="what the generated records are named after")
    faults = parser.add_argument_group("faults (also settable at /_emulator/faults)")
    faults.add_argument("--latency-ms", type=int, default=0)
    faults.add_argument("--fail-percent", type=int, default=0)
    faults.add_argument("--fail-status", type=int, default=503)
    faults.add_argument("--drop-writes", type=int, default=0,
                        help="cut off the answer of the next N committed writes")
    faults.add_argument("--retry-after", type=int, default=1,
                        help="the Retry-After seconds of an injected 429")
    emulator = emulator_class(known.backend)
    backend = parser.add_argument_group(known.backend + " options")
    for flag, kwargs in emulator.options:
        backend.add_argument(flag, **kwargs)
    return parser.parse_args(argv), emulator


def main(argv=None):
    args, emulator_cls = parse(sys.argv[1:] if argv is None else argv)
    names = [flag.lstrip("-").replace("-", "_") for flag, _kwargs in emulator_cls.options]
    config = {name: getattr(args, name) for name in names}
    faults = dict(
        latency_ms=args.latency_ms,
        fail_percent=args.fail_percent,
        fail_status=args.fail_status,
        drop_writes=args.drop_writes,
        retry_after=args.retry_after,
    )
    emulator = emulator_cls(args.db, faults=faults, seed_records=args.seed_records,
                            seed_prefix=args.seed_prefix, **config)
    server = make_server(emulator, args.host, args.port)
    print(url_of(server, emulator), flush=True)
    signal.signal(signal.SIGTERM, stop_on_signal)
    try:
        run(server)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.close()
    return 0


def stop_on_signal(signum, frame):
    raise SystemExit(0)


if __name__ == "__main__":
    sys.exit(main())
