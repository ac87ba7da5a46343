"""Dossiers (hồ sơ): one application for one procedure at one agency, from draft to returned result.

Owns e-form definitions, drafts, submission and dossier codes, attachments and the applicant's document
store, the status machine with its event log, due dates (through `core.calendar`), tracking, ratings and
the agency synchronisation API. It reads the catalogue and accounts; it must not import payments,
feedback or scorecard (they listen to dossier events instead).
"""
