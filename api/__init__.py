"""The HTTP API: FastAPI app factory, routes and wire schemas."""
