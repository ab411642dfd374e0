"""Geospatial core: WGS84 in and out, EPSG:25832 inside, Danish kommuner and politikredse."""
