"""Spaceflights, run once per business case, experiment and month."""

__version__ = "0.1.0"
