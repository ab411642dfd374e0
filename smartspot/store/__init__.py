"""Storage: the Repository port (``port.py``) and its adapters (``sqlite.py``).

SQL lives only in this package.
"""
