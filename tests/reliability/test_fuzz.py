"""Schema-driven fuzzing with Schemathesis: the OpenAPI documents must tell the truth.

Every check of the tool runs (no server error; status codes, content types, headers and bodies as
documented; invalid input rejected; valid input accepted; undocumented methods refused with 405 and
an Allow header), against:

- the gateway's merged document (the whole public API), signed in as staff, organiser, manager and
  admin, in the examples, fuzzing and stateful phases (the stateful phase chains calls along the
  links Schemathesis infers, e.g. create a hack day, then read, change and move it);
- each service's own document, called directly, bypassing the gateway: a request that skips the
  gateway must get nothing more and nothing different.

`make test` runs a bounded version (FUZZ_EXAMPLES=3 per operation, a fixed seed, each backend taking
two of the four roles). The long run adds the coverage phase (boundary values of every parameter and
every undocumented method on every path), every role on every backend and a fresh seed:

    FUZZ_EXAMPLES=100 FUZZ_PHASES=examples,coverage,fuzzing,stateful FUZZ_ALL_ROLES=1 FUZZ_SEED=random \
        .venv/bin/python -m pytest tests/reliability/test_fuzz.py tests/reliability/test_findings.py

Tuning, each entry with its reason, is in tests/reliability/schemathesis.toml; open findings are in
KNOWN_FINDINGS below. A failure prints the tool's report: each problem with a curl command.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools.platform_runner import REPO

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "schemathesis.toml"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# A fixed seed keeps `make test` repeatable; FUZZ_SEED=random draws one, printed with the figures so
# that any failure can be replayed with FUZZ_SEED=<that number>.
SEED = os.environ.get("FUZZ_SEED", "20261129")
if SEED == "random":
    SEED = str(random.SystemRandom().randrange(2**31))
# The coverage phase (boundary values of every parameter, every undocumented method on every path)
# sends about ten times as many requests as the others: it runs in the long run (`make fuzz`, which
# sets FUZZ_PHASES to all four), not in every `make test`.
PHASES = os.environ.get("FUZZ_PHASES", "examples,fuzzing,stateful")


@dataclass(frozen=True)
class KnownFinding:
    """An open finding (docs/requests/findings.md): its check is skipped on its routes, and only there,
    until it is fixed; tests/reliability/test_findings.py shows it meanwhile."""

    number: int
    check: str
    path_regex: str
    backends: frozenset[str] = frozenset({"sqlite", "postgres"})

    def config(self) -> str:
        return (
            f"\n[[operations]]\n# finding {self.number} in docs/requests/findings.md\n"
            f"include-path-regex = '{self.path_regex}'\nchecks.{self.check}.enabled = false\n"
        )


# Findings 1 and 2 were fixed on 2026-11-29; their checks run everywhere again.
KNOWN_FINDINGS: list[KnownFinding] = []  # all seven findings so far are fixed


def config_for(backend: str) -> Path:
    """The settings file plus the open findings that apply on this backend."""
    text = CONFIG.read_text() + "".join(f.config() for f in KNOWN_FINDINGS if backend in f.backends)
    handle, name = tempfile.mkstemp(prefix="schemathesis-", suffix=".toml")
    os.write(handle, text.encode())
    os.close(handle)
    return Path(name)


def run_schemathesis(
    location: str, token: str, *, backend: str, phases: str, examples: int = EXAMPLES, extra: tuple[str, ...] = ()
) -> tuple[int, str]:
    config = config_for(backend)
    try:
        return _run(location, token, config, phases=phases, examples=examples, extra=extra)
    finally:
        config.unlink()


def _run(
    location: str, token: str, config: Path, *, phases: str, examples: int, extra: tuple[str, ...]
) -> tuple[int, str]:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--no-color",
        "--config-file",
        str(config),
        "run",
        location,
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        str(examples),
        "--phases",
        phases,
        "--workers",
        "1",
        *extra,
    ]
    command += ["--seed", SEED]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout + done.stderr


def summary(output: str) -> tuple[int, int]:
    """(test cases sent, failures) from the tool's closing summary."""
    generated = re.search(r"(\d+) generated", output)
    failures = re.search(r"(\d+) (?:unique )?failures?", output.split("SUMMARY")[-1])
    return (int(generated.group(1)) if generated else 0, int(failures.group(1)) if failures else 0)


def check(name: str, code: int, output: str, figures) -> None:
    sent, failed = summary(output)
    figures(name, "test cases sent, failures (seed)", f"{sent}, {failed if code else 0} ({SEED})")
    assert code == 0, f"Schemathesis found problems ({name}):\n{output[-20000:]}"
    assert sent > 0, f"nothing was tested ({name}):\n{output[-5000:]}"


# Each backend fuzzes the whole document as two of the roles; the suite runs both, so every role is
# fuzzed on every run. What differs between roles is authorisation, which the matrix (tests/authz)
# checks cell by cell on both backends; what differs between backends is storage, which each run
# here reaches through every operation. FUZZ_ALL_ROLES=1 (the long run) takes all four on both.
ROLES_BY_BACKEND = {"sqlite": ("staff", "admin"), "postgres": ("organiser", "manager")}
ALL_ROLES = os.environ.get("FUZZ_ALL_ROLES") == "1"


@pytest.mark.parametrize("role", ["staff", "organiser", "manager", "admin"])
def test_the_public_api_keeps_its_documented_promises(platform, team, figures, role):
    if not ALL_ROLES and role not in ROLES_BY_BACKEND.get(platform.backend, ()):
        pytest.skip(f"fuzzed as {role} on the other backend (FUZZ_ALL_ROLES=1 runs every role on both)")
    code, output = run_schemathesis(
        platform.gateway_url + "/openapi.json", team.token(platform, role), backend=platform.backend, phases=PHASES
    )
    check(f"fuzz {platform.backend} gateway as {role}", code, output, figures)


# Called directly, each service is fuzzed as the role that does most with it; the long run takes all four.
SERVICE_ROLE = {"ideas": "staff", "voting": "organiser", "followup": "manager"}


SERVICE_RUNS = [
    (part, role)
    for part in SERVICE_ROLE
    for role in ("staff", "organiser", "manager", "admin")
    if ALL_ROLES or role == SERVICE_ROLE[part]
]


@pytest.mark.parametrize(("part", "role"), SERVICE_RUNS)
def test_each_service_called_directly_keeps_the_same_promises(platform, team, figures, part, role):
    code, output = run_schemathesis(
        platform.url(part) + "/openapi.json",
        team.token(platform, role),
        backend=platform.backend,
        phases=PHASES.replace(",stateful", ""),
    )
    check(f"fuzz {platform.backend} {part} directly as {role}", code, output, figures)
