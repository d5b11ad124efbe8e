"""The voting service's routers, in match order: the ballot routes every voter calls come first
(routing tries routes in order, twice a request)."""

from voting.routes import audit, ballots, internal, results, rounds

routers = [ballots.router, rounds.router, results.router, audit.router, internal.router]
