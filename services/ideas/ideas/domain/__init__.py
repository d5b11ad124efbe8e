"""The ideas service's rules, one module per aggregate; no HTTP here (docs/architecture.md)."""
