"""The gateway's rules, one module per aggregate (no HTTP): identity, accounts, auth versions, passwords,
tokens, the sign-in throttle."""
