"""Finding and fetching published reports: catalogue, polite HTTP, discovery, raw archive."""
