"""Clients of other services: the ideas service calls none (others call it; events arrive in events.py)."""
