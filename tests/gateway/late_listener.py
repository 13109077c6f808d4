"""Serve the test upstream on a port that refuses connections until told.

    python -m tests.gateway.late_listener PORT

The port is bound at once but not listened on, so connections are refused
(not left waiting). A line on stdin starts listening; ``listening`` on
stdout confirms it, and uvicorn then serves whatever reached the backlog.
"""

from __future__ import annotations

import asyncio
import socket
import sys

import uvicorn

from tests.gateway.upstream_app import app


def main() -> None:
    port = int(sys.argv[1])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    print("bound", flush=True)
    sys.stdin.readline()
    sock.listen(128)
    print("listening", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))


if __name__ == "__main__":
    main()
