"""The Prometheus alert rules: valid for Prometheus, firing when they should, each explained to operators."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

import platform_core.housekeeping
import platform_core.observe

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "deploy" / "prometheus" / "alerts.yml"
RULE_TESTS = REPO / "deploy" / "prometheus" / "alerts.test.yml"
OPERATIONS = (REPO / "docs" / "operations.md").read_text()
ALERTS = [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool") or shutil.which("promtool", path=str(REPO / ".venv" / "tools"))
    if found is None:
        message = "promtool is not installed (`make install-dev` takes it from Debian's prometheus package)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_prometheus_accepts_the_rules(promtool, tmp_path):
    checked = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(ALERTS)} rules found" in checked.stdout
    broken = tmp_path / "alerts.yml"
    broken.write_text(RULES.read_text().replace("> 600", "> > 600"))
    assert subprocess.run([promtool, "check", "rules", str(broken)], capture_output=True).returncode != 0


def test_each_alert_fires_on_trouble_and_stays_quiet_otherwise(promtool):
    tested = subprocess.run(
        [promtool, "test", "rules", RULE_TESTS.name], cwd=RULE_TESTS.parent, capture_output=True, text=True
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    covered = set(re.findall(r"alertname: (\w+)", RULE_TESTS.read_text()))
    assert covered == {alert["alert"] for alert in ALERTS}


def test_every_alert_is_explained_in_the_operations_guide():
    for alert in ALERTS:
        name = alert["alert"]
        assert re.search(rf"^### {name}$", OPERATIONS, re.MULTILINE), name
        assert alert["annotations"]["runbook"] == f"docs/operations.md#{name.lower()}"


def test_the_platforms_metrics_in_the_rules_exist():
    known = {metric.name for metric in REGISTRY.collect()}
    known |= {name + "_total" for name in known}
    used = set()
    for alert in ALERTS:
        used |= set(re.findall(r"\b((?:outbox|housekeeping|http_requests|idempotency)_[a-z_]+)", alert["expr"]))
    assert used >= {"outbox_oldest_pending_age_seconds", "outbox_dead_letters", "http_requests_total"}
    assert used <= known, used - known
    assert platform_core.housekeeping.OUTBOX_PENDING is not None
