"""The ASGI app, for any ASGI server: `uvicorn scheduling_service.main:app`."""

from servicekit.app import create_app

from scheduling_service.bootstrap import service

app = create_app(service)
