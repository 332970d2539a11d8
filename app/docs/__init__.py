"""Interactive API docs, and the real examples the spec shows."""

from app.docs.swagger import install_docs

__all__ = ["install_docs"]
