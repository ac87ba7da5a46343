"""Catalogue: agencies, fields, administrative procedures, life events, and finding them.

Owns the national catalogue and its search. It depends only on `core`; dossiers, payments and the
scorecard depend on it, never the other way round.
"""
