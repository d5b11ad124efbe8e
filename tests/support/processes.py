"""One more process of a part, beside the test platform's, with settings of its own."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx

from tools.platform_runner import REPO, free_port


@contextlib.contextmanager
def another(
    runner,
    part: str,
    *,
    ready: str = "/healthz",
    client_timeout: float = 30.0,
    start_within: float = 30.0,
    port: int | None = None,
    **settings: str,
) -> Iterator[httpx.Client]:
    """Start `python -m <part> serve` on a free port (or `port`, for parts that must know each other's
    address before either starts) with the platform's settings plus `settings`
    (environment variables), wait until `ready` answers 200, and yield a client for it (with
    `client_timeout`); the process is stopped when the block ends. Its log is kept with the
    platform's logs."""
    port = port or free_port()
    env = runner.env_for(part)
    # A listener of its own for /metrics: the platform's process of the part holds that one's port.
    env[f"{part.upper()}_METRICS_ADDRESS"] = f"127.0.0.1:{free_port()}"
    env.update({k: str(v) for k, v in settings.items()})
    log = open(runner.data_dir / "logs" / f"{part}-{port}.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", part, "serve", "--port", str(port), "--no-migrate"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=client_timeout) as client:
            deadline = time.monotonic() + start_within
            while True:
                try:
                    if client.get(ready).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError(f"the extra {part} process did not become ready (log: {log.name})")
                time.sleep(0.1)
            yield client
    finally:
        proc.terminate()
        proc.wait(timeout=30)  # a loaded machine can take its time to finish in-flight requests
        log.close()
