"""Core: what every app needs and nothing domain-specific.

Owns text normalisation (Vietnamese search keys), health checks, the site-wide error pages and security
headers. It must not import from any domain app.
"""
