"""The ASGI app, for any ASGI server: `uvicorn auth_service.main:app`."""

from servicekit.app import create_app

from auth_service.bootstrap import service

app = create_app(service)
