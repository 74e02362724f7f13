"""Sauti: community evidence to negotiated change."""

__version__ = "0.1.0"
