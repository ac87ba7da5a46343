"""Accounts: who may act on the portal and how they proved it.

Owns accounts (citizen, business, official, system admin), their authentication methods (OTP phones,
certificates, TOTP), registration and login flows, one-time codes, sessions and the access history.
It talks to the outside world only through `identity` (registries, PKI) and `notifications` (SMS,
e-mail); it must not know about dossiers, payments or the scorecard.
"""
