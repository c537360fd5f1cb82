"""The auth service's own Prometheus metrics (the kit's HTTP and event metrics come on top)."""

from prometheus_client import Counter

LOGINS = Counter("auth_logins_total", "Sign-in attempts by outcome.", ["outcome"])
REFRESHES = Counter("auth_refreshes_total", "Refresh-token exchanges by outcome.", ["outcome"])
