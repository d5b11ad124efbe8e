"""`python -m tools.make_keys secrets/`: a token key pair for a deployment (docker compose reads it)."""

from __future__ import annotations

import sys
from pathlib import Path

from platform_core.keys import ensure_dev_keypair


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "secrets")
    private, public = ensure_dev_keypair(folder)
    print(f"Signing key (gateway only): {private}\nVerifying key (every part): {public}")


if __name__ == "__main__":
    main()
