"""Layer 5, the runtime: the Kedro hook and everything that touches a session or the registry."""
