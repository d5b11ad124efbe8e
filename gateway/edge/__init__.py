"""The edge: what every request meets first (the plain-ASGI front, auth at the edge, rate limits, body
limits), the forwarding to the services and to the pages, one kept-alive pool each."""
