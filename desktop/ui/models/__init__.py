"""Qt item models over the read-only queries of `desktop.services.queries`."""
