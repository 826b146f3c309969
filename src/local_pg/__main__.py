"""``local-pg up|down|status``: a background PostgreSQL server for manual use (``make postgres-up``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from local_pg import LocalPostgres


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="local-pg", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["up", "down"])
    parser.add_argument("--root", type=Path, default=Path(".local/postgres"), help="data and log folder")
    parser.add_argument("--port", type=int, default=54329, help="TCP port on 127.0.0.1 (up only)")
    args = parser.parse_args(argv)
    server = LocalPostgres(root=args.root.resolve(), port=args.port)
    if args.action == "up":
        if not server.running():
            server.start()
        print(json.dumps({"dsn": server.dsn, "log": str(server.log)}))
    else:
        server.stop(remove=True)
        print(json.dumps({"stopped": str(server.root)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
