"""`python -m farm serve --profile demo [--port N] [--data-dir DIR]`: run the farm in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from farm.core import Farm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m farm", description="The govreports simulated portal farm."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve a profile until interrupted")
    serve.add_argument("--profile", default="demo", help="demo, knobs, large[:N] or a YAML path")
    serve.add_argument(
        "--port", type=int, default=None, help="one port for every address (default: a free one)"
    )
    serve.add_argument("--data-dir", type=Path, default=None, help="where portals.yaml and truth.json go")
    serve.add_argument("--warm", action="store_true", help="render every attachment up front")
    args = parser.parse_args(argv)

    stop = threading.Event()
    # before anything is printed: a caller that reads the addresses and at once sends SIGTERM
    # must get a clean stop, not the default handler's kill
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    farm = Farm.start(profile=args.profile, data_dir=args.data_dir, port=args.port)
    truth_path = farm.dump_truth()
    print(f"portals file: {farm.portals_file}")
    print(f"truth:        {truth_path}")
    for name, p in farm.portals.items():
        extra = f" (files on {p.files_base})" if p.files_address else ""
        print(f"  {name:<16} style {p.style}  {p.start_url}{extra}")
    sys.stdout.flush()
    if args.warm:
        farm.warm(block=False)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        farm.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
