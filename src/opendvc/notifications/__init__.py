"""Notifications: SMS and e-mail to people, through configurable backends, recorded in an outbox.

It knows nothing of accounts or dossiers: callers give a recipient, a text and a purpose.
"""
