"""/metrics on an address of the operator's choosing (`<PART>_METRICS_ADDRESS`), never on the public port.

Prometheus scrapes each part on a listener of its own, which an operator binds to an address that only
the monitoring network reaches (`127.0.0.1:9101`, or the pod's port that only Prometheus may reach);
the port people use answers 404 for /metrics. Empty: no metrics listener.

With several worker processes (`serve --workers N`) each worker counts in files of its own, in a folder
made for the run, and the listener in the supervising process adds them up (prometheus_client's
multiprocess mode). The folder's name must be in the environment before a worker imports
prometheus_client, which is why `enable_for_workers` is called before uvicorn starts them.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, start_http_server

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def parse_address(address: str) -> tuple[str, int]:
    """`host:port` (or `[v6]:port`) as a (host, port) pair; a clear error for anything else."""
    host, separator, port = address.strip().rpartition(":")
    if not separator or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"metrics_address must be host:port (e.g. 127.0.0.1:9101), not {address!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


def enable_for_workers() -> str:
    """Multiprocess counting for the workers about to start; returns the folder they count in."""
    folder = os.environ.get(MULTIPROCESS_VARIABLE) or tempfile.mkdtemp(prefix="hackday-metrics-")
    os.environ[MULTIPROCESS_VARIABLE] = folder
    return folder


def start(address: str, *, workers: int = 1) -> Any:
    """Serve /metrics on `address` from a thread of this process (the server, to close it at exit)."""
    host, port = parse_address(address)
    registry = REGISTRY
    if workers > 1:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=os.environ[MULTIPROCESS_VARIABLE])
    server, _thread = start_http_server(port, addr=host, registry=registry)
    return server
