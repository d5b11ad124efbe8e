"""The pages: server-rendered HTML for staff and organisers, calling the gateway's public API."""
