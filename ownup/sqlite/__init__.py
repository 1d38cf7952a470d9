"""ownup's SQLite database engine: Django's, with writers of one process taking turns."""
