"""deploy/kubernetes/ checked by Kubernetes' own JSON schemas (kubernetes-validate) and against the code."""

from __future__ import annotations

import copy
import importlib
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from platform_core.settings import PartSettings
from tools import stack_secrets
from tools.platform_runner import DATABASE_PARTS, DEFAULT_PORTS, PARTS

REPO = Path(__file__).resolve().parents[2]
FOLDER = REPO / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.33.0"
DOCUMENTS = [
    (path.name, doc) for path in sorted(FOLDER.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc
]


def _of(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for _, doc in DOCUMENTS if doc["kind"] == kind}


def _settings_fields(part: str) -> set[str]:
    module = importlib.import_module(f"{part}.settings")
    (cls,) = {
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, PartSettings) and value.__module__ == module.__name__
    }
    return set(cls.model_fields)


@pytest.mark.parametrize(
    ("file", "doc"), DOCUMENTS, ids=[f"{f}:{d['kind']}/{d['metadata']['name']}" for f, d in DOCUMENTS]
)
def test_every_manifest_is_valid_by_kubernetes_schemas(file, doc):
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_validator_can_fail():
    deployment = copy.deepcopy(_of("Deployment")["hackday-voting"])
    deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "eight thousand"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    deployment = copy.deepcopy(_of("Deployment")["hackday-voting"])
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):  # strict: an unknown field is an error
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_the_kinds_an_operator_needs_are_all_there():
    kinds = {doc["kind"] for _, doc in DOCUMENTS}
    assert {"Namespace", "Deployment", "Service", "Job", "Secret", "Ingress", "PodDisruptionBudget"} <= kinds


@pytest.mark.parametrize("part", PARTS)
def test_each_part_runs_replicated_with_probes_limits_and_only_its_own_secret(part):
    deployment = _of("Deployment")[f"hackday-{part}"]
    assert deployment["spec"]["replicas"] >= 2
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] == stack_secrets.PART_UID and pod["securityContext"]["runAsNonRoot"]
    (container,) = pod["containers"]
    assert container["command"] == [
        "python",
        "-m",
        part,
        "serve",
        "--host",
        "0.0.0.0",
        "--port",
        str(DEFAULT_PORTS[part]),
        "--no-migrate",
    ]
    assert {p["name"]: p["containerPort"] for p in container["ports"]} == {"http": DEFAULT_PORTS[part], "metrics": 9100}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["port"] == "http", probe
    assert container["readinessProbe"]["httpGet"]["path"] == ("/healthz" if part == "gateway" else "/readyz")
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for kind in ("requests", "limits"):
        assert set(container["resources"][kind]) == {"cpu", "memory"}, kind
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["PLATFORM_SECRETS_DIR"] == "/run/hackday"
    assert env[f"{part.upper()}_ENVIRONMENT"] == "production"
    assert env[f"{part.upper()}_METRICS_ADDRESS"] == "0.0.0.0:9100"
    fields = _settings_fields(part)
    for name in env:
        if name != "PLATFORM_SECRETS_DIR":
            assert name.removeprefix(part.upper() + "_").lower() in fields, name
    (secret_volume,) = [v for v in pod["volumes"] if "secret" in v]
    assert secret_volume["secret"]["secretName"] == f"hackday-{part}"
    assert secret_volume["secret"]["defaultMode"] == 0o440  # the pod's group (fsGroup) reads it
    assert pod["securityContext"]["fsGroup"] == stack_secrets.PART_UID
    mount = next(m for m in container["volumeMounts"] if m["name"] == secret_volume["name"])
    assert mount == {"name": secret_volume["name"], "mountPath": "/run/hackday", "readOnly": True}


@pytest.mark.parametrize("part", PARTS)
def test_each_secret_holds_only_settings_of_its_part(part):
    secret = _of("Secret")[f"hackday-{part}"]
    fields = _settings_fields(part)
    for key in secret["stringData"]:
        assert key.startswith(part.upper() + "_") and key[len(part) + 1 :].lower() in fields, key
    assert (f"{part.upper()}_DATABASE_URL" in secret["stringData"]) == (part in DATABASE_PARTS)
    assert f"{part.upper()}_JWT_PUBLIC_KEY" in secret["stringData"]  # every part checks tokens itself
    assert ("GATEWAY_JWT_PRIVATE_KEY" in secret["stringData"]) == (part == "gateway")


def test_parts_reach_each_other_by_their_services_and_the_world_reaches_only_the_gateway():
    services = _of("Service")
    assert set(services) == {f"hackday-{part}" for part in PARTS} | {"hackday-redis"}
    for part in PARTS:
        ports = {p["name"]: p["port"] for p in services[f"hackday-{part}"]["spec"]["ports"]}
        assert ports == {"http": DEFAULT_PORTS[part], "metrics": 9100}
    for deployment in _of("Deployment").values():
        for item in deployment["spec"]["template"]["spec"]["containers"][0].get("env", []):
            if item["name"].endswith("_URL") and item["value"].startswith("http://hackday-"):
                host, port = item["value"].removeprefix("http://").split(":")
                assert host in services and int(port) == DEFAULT_PORTS[host.removeprefix("hackday-")], item
    (ingress,) = _of("Ingress").values()
    backends = [path["backend"]["service"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    assert backends == [{"name": "hackday-gateway", "port": {"name": "http"}}]
    assert ingress["spec"]["tls"]
    # The gateway reaches every part, the pages included (it forwards every path outside /api to them).
    gateway = _of("Deployment")["hackday-gateway"]["spec"]["template"]["spec"]["containers"][0]
    urls = {item["name"]: item["value"] for item in gateway["env"] if item["name"].endswith("_URL")}
    for part in PARTS:
        if part != "gateway":
            assert urls[f"GATEWAY_{part.upper()}_URL"] == f"http://hackday-{part}:{DEFAULT_PORTS[part]}", part


def test_every_part_has_a_deployment_a_service_and_a_disruption_budget():
    for kind in ("Deployment", "Service", "PodDisruptionBudget"):
        names = set(_of(kind)) - {"hackday-redis"}
        assert names == {f"hackday-{part}" for part in PARTS}, kind


def test_the_migration_job_migrates_every_part_with_its_own_secret():
    (job,) = _of("Job").values()
    pod = job["spec"]["template"]["spec"]
    steps = pod.get("initContainers", []) + pod["containers"]
    assert sorted(step["command"][2] for step in steps) == sorted(DATABASE_PARTS)
    volumes = {v["name"]: v["secret"]["secretName"] for v in pod["volumes"]}
    for step in steps:
        (mount,) = step["volumeMounts"]
        assert volumes[mount["name"]] == f"hackday-{step['command'][2]}"
        assert step["command"][3] == "migrate"


def test_web_and_the_gateway_each_believe_the_others_forwarded_address():
    """Web takes the browser's address from the gateway's X-Forwarded-For (the pod network), and the gateway
    believes web's on sign-in: each trusts the network the other's pods are on, so the sign-in throttle
    counts each browser by its own address."""

    def env(part: str) -> dict[str, str]:
        container = _of("Deployment")[f"hackday-{part}"]["spec"]["template"]["spec"]["containers"][0]
        return {item["name"]: item["value"] for item in container["env"]}

    web, gateway = env("web")["WEB_TRUSTED_PROXIES"], env("gateway")["GATEWAY_TRUSTED_PROXIES"]
    assert web and web in gateway.split(",")
