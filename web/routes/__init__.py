"""The pages' routers, in match order."""

from web.routes import (
    account,
    admin,
    hack_days,
    health,
    ideas,
    library,
    my_idea,
    organise,
    portfolio,
    roster,
    sign_in,
    static,
    trial_opening,
    trials,
    verdicts,
    voting,
)

ROUTERS = [
    static.router,
    health.router,
    sign_in.router,
    account.router,
    hack_days.router,
    ideas.router,
    my_idea.router,
    voting.router,
    organise.router,
    roster.router,
    library.router,
    admin.router,
    trials.router,
    trial_opening.router,
    verdicts.router,
    portfolio.router,
]
