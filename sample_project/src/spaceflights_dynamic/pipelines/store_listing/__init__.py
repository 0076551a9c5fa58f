"""The 'store_listing' pipeline: writes the table of regions to forecast."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
