"""Layer 1, the declaration: what ``dynamic_pipelines`` may say (models, names, variants)."""
