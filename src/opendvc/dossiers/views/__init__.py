"""Dossier pages; each module lists its own routes (see dossiers/urls.py)."""
