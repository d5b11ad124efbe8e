"""The docker-compose stack's secrets, made once inside the stack at its first start (no Python on the host).

Two one-shot steps, each writing only what is missing, so that every later `docker compose up` keeps
what the first one made:

- `python -m tools.stack_secrets keys /secrets` runs before PostgreSQL starts. It writes one folder per
  reader, each a volume that only that reader mounts:
  - `gateway/`, `ideas/`, `voting/`, `followup/`: files named like the part's settings
    (`IDEAS_DATABASE_URL`, `VOTING_AUDIT_KEY`, ...), which the part reads through `PLATFORM_SECRETS_DIR`
    (platform_core/settings.py); owned by the image's user (uid 10001), mode 0400;
  - `postgres/`: the superuser's password and one password per part's database role, owned by the
    postgres user of the official alpine image (uid 70), which runs the first-start script;
  - `proxy/`: a self-signed TLS certificate for the server name, unless one is there already (an
    operator replaces it with the council's own).
- `python -m tools.stack_secrets credentials /secrets` runs once the database is up: each service's own
  credential (an API key with role `service`, made by the gateway's own command), written where that
  service alone reads it. No second start, nothing pasted into `.env`.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import ipaddress
import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

from platform_core.keys import generate_keypair

PART_UID = 10001  # the user the image runs as (Dockerfile)
POSTGRES_UID = 70  # the postgres user of the official postgres:*-alpine image
PROXY_UID = 0  # nginx's master process reads its certificate as root
DATABASE_PARTS = ("gateway", "ideas", "voting", "followup")
SERVICES = ("ideas", "voting", "followup")  # each has a credential of its own for background work
PAGES = "web"  # the pages: no database; the token-verifying key and the session cookie's key
READERS = {
    **{part: PART_UID for part in (*DATABASE_PARTS, PAGES)},
    "postgres": POSTGRES_UID,
    "proxy": PROXY_UID,
}


def _own(path: Path, uid: int, mode: int) -> None:
    path.chmod(mode)
    if os.geteuid() == 0:  # the one-shot runs as root; a developer trying it as themselves owns the files
        os.chown(path, uid, uid)


def _folder(root: Path, reader: str) -> Path:
    folder = root / reader
    folder.mkdir(parents=True, exist_ok=True)
    _own(folder, READERS[reader], 0o700)
    return folder


def _write_once(root: Path, reader: str, name: str, make) -> str:
    """The file's text; made (by calling `make`) only if the file is not there yet."""
    path = _folder(root, reader) / name
    if path.exists():
        return path.read_text()
    text = make()
    temporary = path.with_name(f".{name}.new")
    temporary.write_text(text)
    _own(temporary, READERS[reader], 0o400)
    temporary.replace(path)  # all or nothing: a crash never leaves half a key behind
    return text


def _public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _self_signed(server_name: str) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, server_name)])
    try:
        alternative: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(server_name))
    except ValueError:
        alternative = x509.DNSName(server_name)
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([alternative]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return certificate.public_bytes(serialization.Encoding.PEM).decode(), key_pem


def make_keys(root: Path, *, server_name: str = "localhost", database_host: str = "postgres") -> None:
    """Everything secret the stack needs before PostgreSQL starts; what exists is kept."""
    keypair: dict[str, str] = {}

    def _private() -> str:
        keypair["private"], keypair["public"] = generate_keypair()
        return keypair["private"]

    private = _write_once(root, "gateway", "GATEWAY_JWT_PRIVATE_KEY", _private)
    public = keypair.get("public") or _public_pem(private)
    _write_once(root, "postgres", "superuser-password", lambda: secrets.token_hex(24))
    for part in DATABASE_PARTS:
        prefix = part.upper()
        _write_once(root, part, f"{prefix}_JWT_PUBLIC_KEY", lambda: public)
        password = _write_once(root, "postgres", f"{part}-password", lambda: secrets.token_hex(24))
        _write_once(
            root,
            part,
            f"{prefix}_DATABASE_URL",
            lambda part=part, password=password: f"postgresql://{part}:{password}@{database_host}:5432/{part}",
        )
    _write_once(root, PAGES, "WEB_JWT_PUBLIC_KEY", lambda: public)
    _write_once(root, PAGES, "WEB_SESSION_KEYS", lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    _write_once(
        root,
        "gateway",
        "GATEWAY_SIGN_ON_SECRET_KEYS",
        lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    )
    _write_once(root, "voting", "VOTING_AUDIT_KEY", lambda: secrets.token_hex(32))
    _write_once(root, "voting", "VOTING_BALLOT_SECRET", lambda: secrets.token_hex(32))
    # Used once, when the gateway finds no admin; read it with
    # `docker compose exec gateway cat /run/hackday/GATEWAY_BOOTSTRAP_ADMIN_PASSWORD`.
    _write_once(root, "gateway", "GATEWAY_BOOTSTRAP_ADMIN_PASSWORD", lambda: secrets.token_urlsafe(18))

    certificate: dict[str, str] = {}

    def _certificate() -> str:
        certificate["crt"], certificate["key"] = _self_signed(server_name)
        print(f"stack_secrets: made a self-signed TLS certificate for {server_name}; see README to use your own")
        return certificate["crt"]

    if not (root / "proxy" / "tls.key").exists():
        _write_once(root, "proxy", "tls.crt", _certificate)
        _write_once(root, "proxy", "tls.key", lambda: certificate.get("key") or _self_signed(server_name)[1])
    print(f"stack_secrets: keys in place under {root}")


def make_credentials(root: Path) -> None:
    """Each service's own credential, made by the gateway's command once its database is up."""
    missing = [part for part in SERVICES if not (root / part / f"{part.upper()}_SERVICE_API_KEY").exists()]
    if not missing:
        print("stack_secrets: service credentials already in place")
        return
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    environment.update({"PLATFORM_SECRETS_DIR": str(root / "gateway"), "GATEWAY_ENVIRONMENT": "production"})
    names = [argument for part in missing for argument in ("--name", part)]
    made = subprocess.run(
        [sys.executable, "-m", "gateway", "create-service-key", *names],
        env=environment,
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        sys.exit(f"stack_secrets: the gateway could not make service credentials:\n{made.stderr[-2000:]}")
    for line in made.stdout.strip().splitlines()[-len(missing) :]:
        part, key = line.split()
        _write_once(root, part, f"{part.upper()}_SERVICE_API_KEY", lambda key=key: key)
    print(f"stack_secrets: service credentials made for {', '.join(missing)}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.stack_secrets", description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["keys", "credentials"])
    parser.add_argument("root", type=Path, help="the folder holding one sub-folder per reader")
    parser.add_argument("--server-name", default=os.environ.get("HACKDAY_SERVER_NAME") or "localhost")
    parser.add_argument("--database-host", default="postgres")
    args = parser.parse_args()
    if args.step == "keys":
        make_keys(args.root, server_name=args.server_name, database_host=args.database_host)
    else:
        make_credentials(args.root)


if __name__ == "__main__":
    main()
