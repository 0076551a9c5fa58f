"""Layer 3, the project checks: after expansion, everything referenced must resolve.

Catalog resolution, collisions, free inputs, dataset types, the validate policy, task groups."""
