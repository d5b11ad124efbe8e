"""docker-compose.yml, the Dockerfile, .dockerignore and the proxy checked against the code.

No Docker engine runs here to try them, so each claim the stack makes is checked against what it relies
on: the compose specification's schema, the parts' settings and commands, the secrets the first start
makes (written as root, read by the image's user), the build context, and nginx's own config check.
"""

from __future__ import annotations

import fnmatch
import importlib
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml

from platform_core.settings import PartSettings
from tools import stack_secrets
from tools.platform_runner import DATABASE_PARTS, DEFAULT_PORTS, PARTS, SERVICES

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES_IN_COMPOSE = COMPOSE["services"]
ONE_SHOTS = {"keys", "credentials"}
SECRETS_DIR = "/run/hackday"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _settings_class(part: str) -> type[PartSettings]:
    """The part's one settings class (`<part>.settings`, whatever it is named)."""
    module = importlib.import_module(f"{part}.settings")
    (cls,) = {
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, PartSettings) and value.__module__ == module.__name__
    }
    return cls


def _settings_fields(part: str) -> set[str]:
    return set(_settings_class(part).model_fields)


def _volumes(service: str) -> dict[str, tuple[str, str]]:
    """{volume or host path: (where it is mounted, options)} of one compose service."""
    mounts = {}
    for entry in SERVICES_IN_COMPOSE[service].get("volumes", []):
        source, target, *options = entry.split(":")
        mounts[source] = (target, options[0] if options else "rw")
    return mounts


def _need(tool: str, why: str) -> str:
    found = shutil.which(tool) or shutil.which(tool, path=str(REPO / ".venv" / "tools"))
    if found is None:
        message = f"{tool} is not installed ({why}; `make install-dev` installs it from Debian as root)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


# ---- the file itself -----------------------------------------------------------------------------
def test_the_file_is_valid_by_the_compose_specification():
    from check_jsonschema.builtin_schemas import get_builtin_schema

    schema = get_builtin_schema("vendor.compose-spec")
    jsonschema.validate(COMPOSE, schema, cls=jsonschema.Draft7Validator)
    broken = json.loads(json.dumps(COMPOSE))
    broken["services"]["gateway"]["healthcheck"]["intervall"] = "10s"
    with pytest.raises(jsonschema.ValidationError):  # the check can fail
        jsonschema.validate(broken, schema, cls=jsonschema.Draft7Validator)


def test_every_part_is_a_compose_service_with_its_real_command_port_and_healthcheck():
    assert set(SERVICES_IN_COMPOSE) == {*PARTS, "postgres", "proxy", *ONE_SHOTS}
    for part in PARTS:
        command = SERVICES_IN_COMPOSE[part]["command"]
        assert command[:4] == ["python", "-m", part, "serve"], part
        port = int(command[command.index("--port") + 1])
        assert port == DEFAULT_PORTS[part], part
        importlib.import_module(f"{part}.__main__")  # the module the command runs exists
        assert str(port) in " ".join(SERVICES_IN_COMPOSE[part]["healthcheck"]["test"]), part
        # A service is healthy only when ready (database reachable, migrations at head).
        assert ("/healthz" if part == "gateway" else "/readyz") in " ".join(
            SERVICES_IN_COMPOSE[part]["healthcheck"]["test"]
        )
    for name, service in SERVICES_IN_COMPOSE.items():
        assert ("healthcheck" in service) == (name not in ONE_SHOTS), name
        assert service.get("restart") == ("no" if name in ONE_SHOTS else "unless-stopped"), name


def test_the_one_shot_steps_run_real_commands():
    for step in ONE_SHOTS:
        command = SERVICES_IN_COMPOSE[step]["command"]
        assert command[:4] == ["python", "-m", "tools.stack_secrets", step]
        assert command[4] == "/secrets"


def test_only_the_proxy_is_published_on_https_and_http():
    published = {name for name, svc in SERVICES_IN_COMPOSE.items() if svc.get("ports")}
    assert published == {"proxy"}
    targets = sorted(int(port.rsplit(":", 1)[1]) for port in SERVICES_IN_COMPOSE["proxy"]["ports"])
    assert targets == [80, 443]
    for part in PARTS:
        assert "ports" not in SERVICES_IN_COMPOSE[part]


def test_every_environment_variable_is_a_real_setting_of_its_part():
    for part in PARTS:
        env = SERVICES_IN_COMPOSE[part]["environment"]
        prefix = part.upper() + "_"
        fields = _settings_fields(part)
        for variable in env:
            if variable == "PLATFORM_SECRETS_DIR":
                continue
            assert variable.startswith(prefix), (part, variable)
            assert variable[len(prefix) :].lower() in fields, (part, variable)
        assert env[prefix + "ENVIRONMENT"] == "production"
        # Secrets come from files, never from the environment (which `docker inspect` shows).
        for secret in ("DATABASE_URL", "JWT_PRIVATE_KEY", "AUDIT_KEY", "BALLOT_SECRET", "SERVICE_API_KEY"):
            assert prefix + secret not in env, (part, secret)


def test_the_start_order_is_keys_then_database_then_credentials_then_parts_then_proxy():
    def depends(name: str) -> dict[str, str]:
        return {k: v["condition"] for k, v in SERVICES_IN_COMPOSE[name].get("depends_on", {}).items()}

    assert depends("postgres") == {"keys": "service_completed_successfully"}
    assert depends("credentials") == {"postgres": "service_healthy"}
    for part in PARTS:
        assert depends(part)["postgres"] == "service_healthy"
        assert depends(part)["credentials"] == "service_completed_successfully"
    for service in SERVICES:
        assert service in depends("gateway")
    assert depends("proxy") == {"gateway": "service_healthy"}


def test_each_part_has_its_own_database_and_role_made_at_first_start():
    init = (REPO / "deploy" / "postgres" / "init-databases.sh").read_text()
    listed = re.search(r"for part in ([a-z ]+); do", init).group(1).split()
    assert sorted(listed) == sorted(DATABASE_PARTS) == sorted(stack_secrets.DATABASE_PARTS)
    assert "CREATE DATABASE $part OWNER $part;" in init
    mounts = _volumes("postgres")
    script = next(source for source in mounts if source.endswith("init-databases.sh"))
    assert (REPO / script.removeprefix("./")).exists()
    assert mounts[script][0].startswith("/docker-entrypoint-initdb.d/")
    # The script and the superuser read their passwords where the keys step wrote them.
    assert mounts["secrets-postgres"] == (SECRETS_DIR, "ro")
    environment = SERVICES_IN_COMPOSE["postgres"]["environment"]
    assert environment["POSTGRES_PASSWORD_FILE"] == f"{SECRETS_DIR}/superuser-password"
    assert f"{SECRETS_DIR}/$part-password" in init


def test_the_gateway_routes_to_the_compose_service_names():
    env = SERVICES_IN_COMPOSE["gateway"]["environment"]
    for part in SERVICES:
        assert env[f"GATEWAY_{part.upper()}_URL"] == f"http://{part}:{DEFAULT_PORTS[part]}"
    for part in PARTS:
        for variable, value in SERVICES_IN_COMPOSE[part]["environment"].items():
            other = variable.removeprefix(part.upper() + "_").removesuffix("_URL").lower()
            if variable.endswith("_URL") and other in DEFAULT_PORTS:
                assert value == f"http://{other}:{DEFAULT_PORTS[other]}", (part, variable)
    # Links the public follows name the proxy's address, never an internal one.
    public = SERVICES_IN_COMPOSE["followup"]["environment"]["FOLLOWUP_PUBLIC_BASE_URL"]
    assert public == "https://${HACKDAY_SERVER_NAME:-localhost}"


# ---- secrets: made inside the stack, readable by the parts' user, each part only its own ---------
def test_each_part_mounts_only_its_own_secrets_read_only_where_its_settings_look():
    keys_mounts = _volumes("keys")
    for part in PARTS:
        mounts = _volumes(part)
        secret_volumes = [source for source in mounts if source.startswith("secrets-")]
        assert secret_volumes == [f"secrets-{part}"], part
        assert mounts[f"secrets-{part}"] == (SECRETS_DIR, "ro"), part
        assert SERVICES_IN_COMPOSE[part]["environment"]["PLATFORM_SECRETS_DIR"] == SECRETS_DIR
    # The keys step writes every reader's folder, in the volume that reader mounts.
    for reader in stack_secrets.READERS:
        assert keys_mounts[f"secrets-{reader}"] == (f"/secrets/{reader}", "rw"), reader
    assert _volumes("proxy")["secrets-proxy"] == (SECRETS_DIR, "ro")
    # Only the gateway's folder holds the signing key; the credentials step only reads it.
    assert _volumes("credentials")["secrets-gateway"] == ("/secrets/gateway", "ro")
    declared = set(COMPOSE["volumes"])
    for service in SERVICES_IN_COMPOSE:
        assert {s for s in _volumes(service) if not s.startswith(".")} <= declared, service


def test_the_image_runs_as_the_user_the_secrets_are_made_for():
    dockerfile = (REPO / "Dockerfile").read_text()
    assert f"USER {stack_secrets.PART_UID}" in dockerfile
    assert f"--uid {stack_secrets.PART_UID}" in dockerfile
    for part in PARTS:
        assert "user" not in SERVICES_IN_COMPOSE[part]  # the image's own user
    for step in ONE_SHOTS:
        assert SERVICES_IN_COMPOSE[step]["user"] == "0"  # to hand each folder to its reader


@pytest.fixture(scope="module")
def first_start() -> Iterator[Path]:
    """The keys step run as the stack runs it (as root), into a folder per reader (in a folder that
    every user may pass through, as a volume's mount point is)."""
    if os.geteuid() != 0:
        pytest.skip("the keys step hands files to other users, which needs root (the stack runs it as root)")
    root = Path(tempfile.mkdtemp(prefix="stack-secrets-"))
    root.chmod(0o755)
    subprocess.run(
        [sys.executable, "-m", "tools.stack_secrets", "keys", str(root), "--server-name", "hackday.example.gov.uk"],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_the_keys_step_hands_each_file_to_its_reader_alone(first_start):
    for reader, uid in stack_secrets.READERS.items():
        folder = first_start / reader
        assert folder.stat().st_uid == uid and folder.stat().st_mode & 0o777 == 0o700, reader
        files = list(folder.iterdir())
        assert files, reader
        for path in files:
            assert path.stat().st_uid == uid, path
            assert path.stat().st_mode & 0o777 == 0o400, path
    assert (first_start / "gateway" / "GATEWAY_JWT_PRIVATE_KEY").exists()
    for part in ("ideas", "voting", "followup"):
        assert not any("PRIVATE" in p.name for p in (first_start / part).iterdir())


def test_a_second_start_keeps_what_the_first_made(first_start):
    before = {p: p.read_bytes() for p in first_start.rglob("*") if p.is_file()}
    subprocess.run([sys.executable, "-m", "tools.stack_secrets", "keys", str(first_start)], cwd=REPO, check=True)
    after = {p: p.read_bytes() for p in first_start.rglob("*") if p.is_file()}
    assert after == before


def _load_settings_as(uid: int, part: str, folder: Path) -> tuple[str, str, bool]:
    """The part's settings as a process of `uid` loads them from `folder` (a forked child, since the
    test's own Python may live where that user cannot read)."""
    cls = _settings_class(part)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.close(read)
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            for variable in [v for v in os.environ if v.startswith(part.upper() + "_")]:
                del os.environ[variable]
            os.environ.update({"PLATFORM_SECRETS_DIR": str(folder), f"{part.upper()}_ENVIRONMENT": "production"})
            settings = cls()
            database = settings.database_url.split("@")[1] if settings.database_url else ""  # web/ has none
            answer = [settings.environment, database, bool(settings.public_key_pem())]
            os.write(write, json.dumps(answer).encode())
            os._exit(0)
        except BaseException as exc:
            os.write(write, json.dumps(f"{type(exc).__name__}: {exc}").encode())
            os._exit(1)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = json.loads(pipe.read() or '"no answer"')
    status = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
    if status != 0:
        raise PermissionError(answer)
    return tuple(answer)


@pytest.mark.parametrize("part", PARTS)
def test_the_parts_user_reads_its_settings_from_its_own_folder(first_start, part):
    folder = first_start / part
    database = f"postgres:5432/{part}" if part in DATABASE_PARTS else ""
    assert _load_settings_as(stack_secrets.PART_UID, part, folder) == ("production", database, True)
    # Any other user could not: the folder is its reader's alone.
    with pytest.raises(PermissionError):
        _load_settings_as(10002, part, folder)


# ---- the image's build context -------------------------------------------------------------------
def _dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore keeps `path` (relative, with /) out of the build context: a pattern matches
    the path or one of the folders it is in (Docker's rules, for the patterns this file uses)."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.removeprefix("!")
        for candidate in candidates:
            if fnmatch.fnmatchcase(candidate, pattern) or (
                pattern.startswith("**/") and fnmatch.fnmatchcase(candidate.rsplit("/", 1)[-1], pattern[3:])
            ):
                ignored = not negate
                break
    return ignored


DOCKERIGNORE = [
    line.strip()
    for line in (REPO / ".dockerignore").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]
# What a developer's checkout holds after `make run` and a first try of the stack's steps by hand.
LOCAL_SECRETS = [
    ".env",
    ".env.production",
    ".data/keys/token-signing.pem",
    ".data/gateway.db",
    ".data/first-admin.txt",
    ".data/service-keys.json",
    "secrets/token-signing.pem",
    "deploy/nginx/tls.key",
    "services/voting/voting.db",
]


@pytest.mark.parametrize("path", LOCAL_SECRETS)
def test_dockerignore_keeps_local_secrets_out_of_the_image(path):
    assert _dockerignored(path, DOCKERIGNORE)


def test_the_matcher_can_say_a_file_goes_in():
    assert not _dockerignored("gateway/main.py", DOCKERIGNORE)
    assert not _dockerignored("requirements.txt", DOCKERIGNORE)


PRIVATE_KEY = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----")


def test_no_file_in_the_build_context_holds_a_secret():
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    context = [path for path in tracked if not _dockerignored(path, DOCKERIGNORE)]
    assert "Dockerfile" in context and "pyproject.toml" in context
    for path in context:
        file = REPO / path
        if not file.is_file() or file.stat().st_size > 2_000_000:
            continue
        assert not PRIVATE_KEY.search(file.read_bytes()), path


# ---- the proxy -----------------------------------------------------------------------------------
def _default(subnet: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """The network a `${VARIABLE:-default}` setting names when the operator sets nothing."""
    return ipaddress.ip_network(subnet.split(":-")[1].rstrip("}"))


def test_the_gateway_trusts_x_forwarded_for_only_from_the_proxys_and_the_pages_networks():
    edge = COMPOSE["networks"]["edge"]["ipam"]["config"][0]["subnet"]
    pages = COMPOSE["networks"]["pages"]["ipam"]["config"][0]["subnet"]
    trusted = SERVICES_IN_COMPOSE["gateway"]["environment"]["GATEWAY_TRUSTED_PROXIES"]
    assert trusted == f"{edge},{pages}"
    assert _default(edge).is_private and _default(pages).is_private
    assert not _default(edge).overlaps(_default(pages))
    assert SERVICES_IN_COMPOSE["proxy"]["networks"] == ["edge"]
    assert set(SERVICES_IN_COMPOSE["gateway"]["networks"]) == {"edge", "backend", "pages"}
    for name in {*SERVICES, "postgres", *ONE_SHOTS}:
        assert SERVICES_IN_COMPOSE[name]["networks"] == ["backend"], name
    assert COMPOSE["networks"]["backend"]["internal"] is True


def test_web_sees_the_browsers_address_from_the_gateway_alone():
    """Web and the gateway share a network of their own: web believes X-Forwarded-For only from it (the
    gateway forwarding a page), so the sign-in throttle counts each browser, not web, as one client."""
    pages = COMPOSE["networks"]["pages"]["ipam"]["config"][0]["subnet"]
    assert SERVICES_IN_COMPOSE["web"]["environment"]["WEB_TRUSTED_PROXIES"] == pages
    on_pages = {name for name, svc in SERVICES_IN_COMPOSE.items() if "pages" in svc.get("networks", [])}
    assert on_pages == {"web", "gateway"}
    assert SERVICES_IN_COMPOSE["web"]["networks"] == ["pages"]  # it reaches nothing but the gateway
    assert SERVICES_IN_COMPOSE["web"]["environment"]["WEB_GATEWAY_URL"] == "http://gateway:8000"
    assert COMPOSE["networks"]["pages"]["internal"] is True


PROXY_CONFIG = (REPO / "deploy" / "nginx" / "hackday.conf").read_text()


def test_the_proxy_sends_everything_to_the_gateway_with_the_clients_real_address():
    assert re.search(r"upstream gateway \{\s*server gateway:8000;", PROXY_CONFIG)
    assert "proxy_pass http://gateway;" in PROXY_CONFIG
    # Set, not appended ($proxy_add_x_forwarded_for), so that a client cannot choose its address.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in PROXY_CONFIG
    assert "proxy_add_x_forwarded_for" not in PROXY_CONFIG
    assert f"ssl_certificate     {SECRETS_DIR}/tls.crt;" in PROXY_CONFIG
    assert "return 308 https://" in PROXY_CONFIG
    mounts = _volumes("proxy")
    assert mounts["./deploy/nginx/hackday.conf"] == ("/etc/nginx/conf.d/default.conf", "ro")


def test_nginx_accepts_the_proxy_config(first_start, tmp_path):
    nginx = _need("nginx", "it checks the proxy's configuration")
    # The stack's names and paths, pointed at this machine: the upstream host must resolve here.
    config = PROXY_CONFIG.replace("server gateway:8000;", "server 127.0.0.1:8000;").replace(
        f"{SECRETS_DIR}/", f"{first_start / 'proxy'}/"
    )
    (tmp_path / "hackday.conf").write_text(config)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n access_log off;\n client_body_temp_path {tmp_path}/body;\n include {tmp_path}/hackday.conf;\n}}\n"
    )
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    (tmp_path / "hackday.conf").write_text(config.replace("proxy_pass", "proxy_passs"))
    broken = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
    )
    assert broken.returncode != 0  # the check can fail


def test_the_credentials_step_makes_each_services_credential_once(first_start):
    from tools.platform_runner import POSTGRES_ADMIN_URL, _pg_admin, postgres_reachable

    if (why := postgres_reachable()) is not None:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required here: {why}")
        pytest.skip(f"PostgreSQL is not reachable ({why})")
    database = f"hackday_compose_{os.getpid()}"
    _pg_admin(f'CREATE DATABASE "{database}"')
    gateway_url = first_start / "gateway" / "GATEWAY_DATABASE_URL"
    original = gateway_url.read_text()
    try:
        # The stack's gateway database, here: the step reads where the gateway's folder says.
        gateway_url.chmod(0o600)
        gateway_url.write_text(f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{database}")
        step = [sys.executable, "-m", "tools.stack_secrets", "credentials", str(first_start)]
        made = subprocess.run(step, cwd=REPO, capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
        keys = {part: (first_start / part / f"{part.upper()}_SERVICE_API_KEY") for part in SERVICES}
        first = {part: path.read_text() for part, path in keys.items()}
        assert len(set(first.values())) == len(SERVICES)
        for path in keys.values():
            assert path.stat().st_uid == stack_secrets.PART_UID and path.stat().st_mode & 0o777 == 0o400
        again = subprocess.run(step, cwd=REPO, capture_output=True, text=True, check=True)
        assert "already in place" in again.stdout
        assert {part: path.read_text() for part, path in keys.items()} == first
    finally:
        gateway_url.write_text(original)
        gateway_url.chmod(0o400)
        for part in SERVICES:
            (first_start / part / f"{part.upper()}_SERVICE_API_KEY").unlink(missing_ok=True)
        _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_metrics_listen_apart_from_the_port_the_proxy_reaches():
    for part in PARTS:
        service = SERVICES_IN_COMPOSE[part]
        address = service["environment"][f"{part.upper()}_METRICS_ADDRESS"]
        port = int(address.rsplit(":", 1)[1])
        assert port != DEFAULT_PORTS[part] and str(port) in service["expose"], part
    assert ":9100" not in PROXY_CONFIG
