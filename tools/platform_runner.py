"""Starts the gateway, the three services and the pages (web/) as real processes, and stops them.

Used by `make run` (fixed ports 8000-8004, SQLite in .data/) and by the test suite (free ports,
a temporary folder, SQLite or PostgreSQL). Each part migrates its own database before it serves.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from platform_core.keys import ensure_dev_keypair

REPO = Path(__file__).resolve().parent.parent
PARTS = ("ideas", "voting", "followup", "web", "gateway")  # the gateway last: it routes to the others
SERVICES = ("ideas", "voting", "followup")
DATABASE_PARTS = ("ideas", "voting", "followup", "gateway")  # web/ holds no data
DEFAULT_PORTS = {"gateway": 8000, "ideas": 8001, "voting": 8002, "followup": 8003, "web": 8004}
# /metrics listens apart from the public ports (platform_core/metrics_server.py), on loopback here.
DEFAULT_METRICS_PORTS = {"gateway": 9100, "ideas": 9101, "voting": 9102, "followup": 9103, "web": 9104}
POSTGRES_ADMIN_URL = os.environ.get("PLATFORM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_reachable(admin_url: str = POSTGRES_ADMIN_URL) -> str | None:
    """None if PostgreSQL answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(admin_url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()


def _pg_admin(statement: str, admin_url: str = POSTGRES_ADMIN_URL) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)


@dataclass
class Platform:
    """Five processes on one machine. `backend` is "sqlite" or "postgres"."""

    data_dir: Path
    backend: str = "sqlite"
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    environment: str = "development"
    admin_email: str = "admin@example.org"
    admin_password: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    metrics_ports: dict[str, int] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    database_urls: dict[str, str] = field(default_factory=dict)
    _pg_databases: list[str] = field(default_factory=list)

    # ---- set-up ----------------------------------------------------------------------------
    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "logs").mkdir(exist_ok=True)
        if not self.metrics_ports:
            fixed = self.ports == DEFAULT_PORTS
            self.metrics_ports = {p: DEFAULT_METRICS_PORTS[p] if fixed else free_port() for p in PARTS}
        self.private_key_file, self.public_key_file = ensure_dev_keypair(self.data_dir / "keys")
        if self.backend == "postgres":
            run = uuid.uuid4().hex[:8]
            for part in DATABASE_PARTS:
                name = f"hackday_{run}_{part}"
                _pg_admin(f'CREATE DATABASE "{name}"')
                self._pg_databases.append(name)
                base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
                self.database_urls[part] = f"{base}/{name}"
        else:
            for part in DATABASE_PARTS:
                self.database_urls[part] = f"sqlite:///{self.data_dir / (part + '.db')}"
        if not self.admin_password:
            self.admin_password = secrets.token_urlsafe(18)

    def ensure_service_keys(self) -> None:
        """Each service gets its own credential (role `service`) for background work; made once per
        gateway database and kept beside it, since a key is shown only when it is made."""
        import json

        path = self.data_dir / "service-keys.json"
        keys = json.loads(path.read_text()) if path.exists() else {}
        missing = [part for part in SERVICES if part not in keys]
        if missing:
            names = [arg for part in missing for arg in ("--name", part)]
            out = subprocess.run(
                [sys.executable, "-m", "gateway", "create-service-key", *names],
                cwd=REPO,
                env=self.env_for("gateway"),
                capture_output=True,
                text=True,
                check=True,
            )
            for line in out.stdout.strip().splitlines()[-len(missing) :]:
                name, key = line.split()
                keys[name] = key
            path.write_text(json.dumps(keys))
            path.chmod(0o600)
        self.service_keys = keys

    def url(self, part: str) -> str:
        return f"http://127.0.0.1:{self.ports[part]}"

    def metrics_url(self, part: str) -> str:
        return f"http://127.0.0.1:{self.metrics_ports[part]}/metrics"

    def env_for(self, part: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GATEWAY_", "IDEAS_", "VOTING_", "FOLLOWUP_", "WEB_", "PLATFORM_SECRETS_DIR"))
        }
        prefix = part.upper() + "_"
        env.update(
            {
                prefix + "ENVIRONMENT": self.environment,
                prefix + "JWT_PUBLIC_KEY_FILE": str(self.public_key_file),
                prefix + "IDEAS_URL": self.url("ideas"),
                prefix + "VOTING_URL": self.url("voting"),
                prefix + "FOLLOWUP_URL": self.url("followup"),
                prefix + "GATEWAY_URL": self.url("gateway"),
                prefix + "PUBLIC_BASE_URL": self.url("gateway"),
                prefix + "METRICS_ADDRESS": f"127.0.0.1:{self.metrics_ports[part]}",
                prefix + "WEB_URL": self.url("web"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        if part in self.database_urls:
            env[prefix + "DATABASE_URL"] = self.database_urls[part]
        if part == "web":
            env["WEB_SESSION_KEYS"] = self.session_key()
        if part in getattr(self, "service_keys", {}):
            env[prefix + "SERVICE_API_KEY"] = self.service_keys[part]
        if part == "gateway":
            env.update(
                {
                    "GATEWAY_JWT_PRIVATE_KEY_FILE": str(self.private_key_file),
                    # Links in mail and the single sign-on callback point at the gateway (it serves the pages).
                    "GATEWAY_PUBLIC_URL": self.url("gateway"),
                    "GATEWAY_BOOTSTRAP_ADMIN_EMAIL": self.admin_email,
                    "GATEWAY_BOOTSTRAP_ADMIN_PASSWORD": self.admin_password,
                }
            )
        env.update({k: v for k, v in self.extra_env.items() if k.startswith(prefix)})
        return env

    def session_key(self) -> str:
        """The web part's session key, made once per data folder, so a restart keeps people signed in."""
        path = self.data_dir / "keys" / "web-session.key"
        if not path.exists():
            import base64

            path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
            path.chmod(0o600)
        return path.read_text().strip()

    def log_path(self, part: str) -> Path:
        return self.data_dir / "logs" / f"{part}.log"

    def log(self, part: str) -> str:
        return self.log_path(part).read_text(errors="replace")

    # ---- processes -------------------------------------------------------------------------
    def start(self, part: str, *, wait: bool = True) -> None:
        out = open(self.log_path(part), "ab")
        self.procs[part] = subprocess.Popen(
            [sys.executable, "-m", part, "serve", "--port", str(self.ports[part])],
            cwd=REPO,
            env=self.env_for(part),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()
        if wait:
            self.wait_ready(part)

    def start_all(self) -> None:
        self.ensure_service_keys()
        for part in PARTS:
            self.start(part, wait=False)
        for part in PARTS:
            self.wait_ready(part)

    def wait_ready(self, part: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        path = "/healthz" if part == "gateway" else "/readyz"
        while time.monotonic() < deadline:
            proc = self.procs.get(part)
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{part} exited with {proc.returncode}:\n{self.log(part)[-3000:]}")
            try:
                if httpx.get(self.url(part) + path, timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{part} was not ready within {timeout:.0f} s:\n{self.log(part)[-3000:]}")

    def kill(self, part: str) -> None:
        """Kill a part at once (SIGKILL), as a crash would."""
        proc = self.procs.pop(part, None)
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def stop(self, part: str, timeout: float = 10.0) -> None:
        proc = self.procs.pop(part, None)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def stop_all(self) -> None:
        for part in reversed(PARTS):
            self.stop(part)

    def drop_databases(self) -> None:
        for name in self._pg_databases:
            try:
                _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception:
                pass
        self._pg_databases.clear()
