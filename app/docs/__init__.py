"""Interactive API docs, and the real examples the spec shows."""

from app.docs.router import install_docs

__all__ = ["install_docs"]
