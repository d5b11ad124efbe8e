"""Supply chain: every installed package comes from a lock that pins it with its hashes."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
LOCKS = {"requirements.txt": "requirements.in", "requirements-dev.txt": "requirements-dev.in"}
PROJECT = "council-hackday-platform"


def _locked(lock: str) -> dict[str, tuple[str, list[str]]]:
    """{package: (version, hashes)} of one lock file (its backslash-continued entries joined)."""
    text = (REPO / lock).read_text().replace("\\\n", " ")
    entries = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, *options = re.split(r"\s+(?=--)", line)
        parsed = Requirement(requirement.strip())
        (specifier,) = parsed.specifier
        assert specifier.operator == "==", (lock, line)
        hashes = [option.removeprefix("--hash=") for option in options if option.startswith("--hash=sha256:")]
        entries.setdefault(canonicalize_name(parsed.name), (specifier.version, hashes))
    return entries


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_package_is_pinned_with_hashes(lock):
    entries = _locked(lock)
    assert len(entries) > 40
    for name, (_version, hashes) in entries.items():
        assert hashes, f"{lock}: {name} has no hash"


@pytest.mark.parametrize("lock", LOCKS)
def test_every_direct_dependency_is_in_its_lock_at_the_version_asked(lock):
    entries = _locked(lock)
    source = LOCKS[lock]
    lines = [line.split("#", 1)[0].strip() for line in (REPO / source).read_text().splitlines()]
    if "-r requirements.in" in lines:
        lines += [line.split("#", 1)[0].strip() for line in (REPO / "requirements.in").read_text().splitlines()]
    for line in lines:
        if not line or line.startswith("-"):
            continue
        asked = Requirement(line)
        (specifier,) = asked.specifier
        assert entries[canonicalize_name(asked.name)][0] == specifier.version, (lock, line)


def test_the_runtime_and_development_locks_agree():
    runtime, development = _locked("requirements.txt"), _locked("requirements-dev.txt")
    for name, (version, _hashes) in runtime.items():
        assert name in development, name
        assert development[name][0] == version, name


def test_what_is_installed_here_is_what_is_locked():
    """pip's --require-hashes refuses any package the lock does not pin with a hash (dependencies
    included), so a fresh `make install-dev` installs the lock and nothing else; here, each locked
    package that is installed is at its locked version."""
    locked = _locked("requirements-dev.txt")
    checked = 0
    for distribution in importlib.metadata.distributions():
        name = canonicalize_name(distribution.metadata["Name"])
        if name in locked:
            assert locked[name][0] == distribution.version, (name, distribution.version, locked[name][0])
            checked += 1
    assert checked > 40


def test_make_and_the_image_install_only_from_the_locks_with_hashes():
    makefile = (REPO / "Makefile").read_text()
    installs = [line.strip() for line in makefile.splitlines() if "pip install" in line]
    assert installs
    for line in installs:
        assert "--require-hashes -r requirements" in line or "--no-deps --no-build-isolation -e ." in line, line
    assert "uv pip compile --quiet --generate-hashes" in makefile
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements.txt" in dockerfile
    assert "--no-deps --no-build-isolation -e ." in dockerfile
