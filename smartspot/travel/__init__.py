"""Travel times: the TravelTimes port and its adapters (OSM road graph, land-aware fallback)."""
