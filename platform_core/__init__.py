"""Plumbing shared by the gateway and the three services: settings, database, errors,
request ids, logging, health, metrics, token checks and idempotency. No domain code lives here."""
