"""The ASGI app, for any ASGI server: `uvicorn optimizer_service.main:app`."""

from servicekit.app import create_app

from optimizer_service.bootstrap import service

app = create_app(service)
