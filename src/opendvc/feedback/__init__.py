"""Feedback and petitions (phản ánh, kiến nghị – PAKN): what people tell agencies about regulations and
about how they were served, handled by the receiving agency and answered in public.

Owns feedback records, their handling (receive, forward with the clock restarting at the new agency, ask
the sender for more information, refuse, answer, approve by a second official, publish), deadlines in
working days, public search of answered feedback, votes on answers, re-raising, tracking by code, and the
counts the scorecard reads. It reads the catalogue, accounts, dossiers (a dossier may be named) and
core; nothing below it imports it.
"""
