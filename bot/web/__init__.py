"""Pages served by the service (web chat and agent console come here)."""
