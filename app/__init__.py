"""Masthead: a REST content API for multilingual newsrooms."""

__version__ = "0.1.0"
