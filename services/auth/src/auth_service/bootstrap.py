"""The composition root of the auth service: what it is made of, wired in one place."""

from servicekit.service import ServiceDefinition

from auth_service.db.tables import metadata
from auth_service.demo import seed
from auth_service.settings import AuthSettings

service = ServiceDefinition(
    name="auth",
    title="Auth service",
    description="Users, roles, credentials, refresh tokens and the signing keys of access tokens.",
    settings=AuthSettings,
    metadata=metadata,
    migrations="auth_service:migrations",
    seed=seed,
)
