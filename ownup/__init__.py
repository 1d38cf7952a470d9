"""ownup: handle mistakes in the open."""

__version__ = "0.1.0"
