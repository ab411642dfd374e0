"""Smart Spot: decision support for Danish police dispatch centres (vagtcentraler).

The package is the engine: a pure domain core (``domain``, ``geo``, ``travel``, ``optimise``,
``sim``) with adapters for storage and travel times behind small ports. The web layer lives in
the separate ``api`` package.
"""

__version__ = "0.1.0"
