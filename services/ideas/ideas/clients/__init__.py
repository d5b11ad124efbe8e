"""Clients of other services: follow-up, asked whether an outcome is really published (events arrive
in events.py)."""
