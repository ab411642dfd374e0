"""The ``smartspot`` command. Each module here with a ``register(subparsers)`` adds commands."""
