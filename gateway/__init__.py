"""The gateway: the one public entry. Owns councils, people, login, tokens and API keys; routes each
service's API, checks tokens at the edge, limits rates and body sizes, and composes cross-service views."""
