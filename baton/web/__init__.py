"""The review inbox (``baton serve``): review packets, decisions and outputs in a browser."""

from baton.web.app import create_app, serve

__all__ = ["create_app", "serve"]
