"""Clients of the platform's public API (web reaches nothing else)."""
