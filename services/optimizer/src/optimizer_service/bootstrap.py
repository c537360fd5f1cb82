"""The composition root of the optimizer service: what it is made of, wired in one place."""

from servicekit.messaging.consumer import HandlerMap
from servicekit.service import ServiceDefinition
from servicekit.user_access import register_user_access_handlers

from optimizer_service.api import runs
from optimizer_service.db.tables import metadata, user_access
from optimizer_service.handlers import optimization_requests
from optimizer_service.settings import OptimizerSettings
from optimizer_service.worker import run_workers


def handlers() -> HandlerMap:
    return optimization_requests.register(register_user_access_handlers(HandlerMap(), user_access))


service = ServiceDefinition(
    name="optimizer",
    title="Optimizer service",
    description=(
        "CP-SAT planning and sequencing of surgeries: optimization runs and their results."
    ),
    settings=OptimizerSettings,
    metadata=metadata,
    migrations="optimizer_service:migrations",
    routers=(runs.router,),
    handlers=handlers,
    workers=run_workers,
    openapi_tags=(
        {
            "name": "runs",
            "description": "Optimization runs: what-if planning over a self-contained problem.",
        },
    ),
)
