"""Ed25519 key pairs for signing tokens (the gateway) and checking them (everyone)."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def generate_keypair() -> tuple[str, str]:
    """A new (private PEM, public PEM) pair."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def ensure_dev_keypair(folder: Path) -> tuple[Path, Path]:
    """Development only: make a key pair in `folder` once and reuse it across restarts."""
    folder.mkdir(parents=True, exist_ok=True)
    private_path, public_path = folder / "token-signing.pem", folder / "token-verify.pem"
    if not private_path.exists() or not public_path.exists():
        private, public = generate_keypair()
        private_path.write_text(private)
        private_path.chmod(0o600)
        public_path.write_text(public)
    return private_path, public_path
