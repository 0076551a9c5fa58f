"""Layer 2, the expansion: declaration -> namespaced nodes, pipelines, parameters, catalog entries.

Pure: no session, no config loader, no registry."""
