"""The ASGI app, for any ASGI server: `uvicorn interop_service.main:app`."""

from servicekit.app import create_app

from interop_service.bootstrap import service

app = create_app(service)
