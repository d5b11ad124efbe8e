"""docker-compose.yml checked against the code, since no Docker engine runs here to try it."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml

from tools.platform_runner import DEFAULT_PORTS, PARTS

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SETTINGS = {
    "gateway": ("gateway.settings", "GatewaySettings"),
    "ideas": ("ideas.settings", "IdeasSettings"),
    "voting": ("voting.settings", "VotingSettings"),
    "followup": ("followup.settings", "FollowupSettings"),
}


def _settings_fields(part: str) -> set[str]:
    module, name = SETTINGS[part]
    cls = getattr(importlib.import_module(module), name)
    return set(cls.model_fields)


def test_every_part_is_a_compose_service_with_its_real_command_and_port():
    services = COMPOSE["services"]
    assert set(services) == {*PARTS, "postgres"}
    for part in PARTS:
        command = services[part]["command"]
        assert command[:4] == ["python", "-m", part, "serve"], part
        port = int(command[command.index("--port") + 1])
        assert port == DEFAULT_PORTS[part], part
        importlib.import_module(f"{part}.__main__")  # the module the command runs exists
        assert "healthcheck" in services[part], part
        assert str(port) in " ".join(services[part]["healthcheck"]["test"]), part


def test_only_the_gateway_is_published():
    services = COMPOSE["services"]
    published = {name for name, svc in services.items() if svc.get("ports")}
    assert published == {"gateway"}
    assert services["gateway"]["ports"] == [f"{DEFAULT_PORTS['gateway']}:{DEFAULT_PORTS['gateway']}"]


def test_every_environment_variable_is_a_real_setting_of_its_part():
    for part in PARTS:
        env = COMPOSE["services"][part]["environment"]
        prefix = part.upper() + "_"
        fields = _settings_fields(part)
        for variable in env:
            assert variable.startswith(prefix), (part, variable)
            assert variable[len(prefix) :].lower() in fields, (part, variable)
        assert env[prefix + "ENVIRONMENT"] == "production"
        assert env[prefix + "DATABASE_URL"].startswith("postgresql://")
        assert env[prefix + "DATABASE_URL"].endswith(f"/{part}")


def test_each_part_has_its_own_database_created_at_first_start():
    init = (REPO / "deploy" / "postgres-init.sql").read_text()
    assert sorted(re.findall(r"CREATE DATABASE (\w+);", init)) == sorted(PARTS)
    mount = [v for v in COMPOSE["services"]["postgres"]["volumes"] if "postgres-init.sql" in v]
    assert mount and (REPO / mount[0].split(":")[0].removeprefix("./")).exists()


def test_the_gateway_routes_to_the_compose_service_names():
    env = COMPOSE["services"]["gateway"]["environment"]
    for part in ("ideas", "voting", "followup"):
        assert env[f"GATEWAY_{part.upper()}_URL"] == f"http://{part}:{DEFAULT_PORTS[part]}"
        assert part in COMPOSE["services"]["gateway"]["depends_on"]
    for part in PARTS:
        depends = COMPOSE["services"][part]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"


def test_services_get_the_verifying_key_and_only_the_gateway_the_signing_key():
    for part in PARTS:
        secrets = COMPOSE["services"][part]["secrets"]
        assert "token_verify" in secrets
        assert ("token_signing" in secrets) == (part == "gateway")
