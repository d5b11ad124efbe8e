"""`make run`: start the gateway, the three services and the pages on SQLite, print where to open it, stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys
import time

from tools.platform_runner import DEFAULT_METRICS_PORTS, DEFAULT_PORTS, PARTS, REPO, Platform


def main() -> None:
    data = REPO / ".data"
    admin_file = data / "first-admin.txt"
    # Settings the person running this gave (e.g. GATEWAY_WRITE_RATE_LIMIT) are passed on. In
    # development one person fills the platform from one address (see `make demo`), so the
    # per-address sign-in limit is raised unless they set it.
    given = {
        k: v for k, v in os.environ.items() if k.startswith(("GATEWAY_", "IDEAS_", "VOTING_", "FOLLOWUP_", "WEB_"))
    }
    # Ports come from the same settings `python -m <part> serve` reads (`GATEWAY_PORT=8080 make run`).
    ports = {part: int(os.environ.get(f"{part.upper()}_PORT", DEFAULT_PORTS[part])) for part in PARTS}
    platform = Platform(
        data_dir=data,
        backend="sqlite",
        ports=ports,
        metrics_ports={part: DEFAULT_METRICS_PORTS[part] for part in PARTS},
        extra_env={"GATEWAY_LOGIN_RATE_LIMIT": "600/minute", **given},
    )
    platform.prepare()
    # Development only: a random first-admin password, made once and kept beside the databases.
    if admin_file.exists():
        email, password = admin_file.read_text().split()[:2]
        platform.admin_email, platform.admin_password = email, password
    else:
        admin_file.write_text(f"{platform.admin_email} {platform.admin_password}\n")
        admin_file.chmod(0o600)

    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        platform.start_all()
        print(
            "\nThe council hack-day platform is running.\n"
            f"  Open:        {platform.url('gateway')}/  (pages; API: {platform.url('gateway')}/api/..., "
            f"{platform.url('gateway')}/docs)\n"
            f"  Ready?       {platform.url('gateway')}/readyz\n"
            f"  First admin: {platform.admin_email} / {platform.admin_password}"
            f"  (kept in {admin_file.relative_to(REPO)})\n"
            f"  Services:    " + ", ".join(f"{p} {platform.url(p)}" for p in PARTS if p != "gateway") + "\n"
            "  Metrics:     " + ", ".join(f"{p} {platform.metrics_url(p)}" for p in PARTS) + "\n"
            f"  Logs:        {(data / 'logs').relative_to(REPO)}/<part>.log\n"
            "  Demo data:   make demo   (in another terminal)\n"
            "Press Ctrl-C to stop all five.\n",
            flush=True,
        )
        while not stopping:
            for part, proc in list(platform.procs.items()):
                if proc.poll() is not None:
                    print(
                        f"{part} stopped unexpectedly (exit {proc.returncode}); see {platform.log_path(part)}",
                        file=sys.stderr,
                    )
                    stopping = True
            time.sleep(0.5)
    finally:
        print("Stopping...", flush=True)
        platform.stop_all()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    main()
