"""The app's routes, one module per purpose (each has a ``routes()`` function)."""
