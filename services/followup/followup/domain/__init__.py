"""The follow-up service's rules, one module per aggregate; no HTTP here (see docs/architecture.md)."""
