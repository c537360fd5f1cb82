"""The ASGI app, for any ASGI server: `uvicorn resources_service.main:app`."""

from servicekit.app import create_app

from resources_service.bootstrap import service

app = create_app(service)
