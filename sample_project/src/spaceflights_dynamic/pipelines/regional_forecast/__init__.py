"""The 'regional_forecast' template pipeline."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
