"""Payments (thanh toán trực tuyến): what a dossier owes, paying it online, receipts and reconciliation.

Owns charges (a procedure's fees that apply to a dossier's answers, and the financial obligations an
official states), payment orders sent to a provider, the IPN and reconciliation that settle them, the
electronic receipts, the agencies' merchant accounts and daily reconciliation reports. Providers sit
behind a port (`providers`); `payments.simulator` is a local gateway speaking the same protocol.

It builds on dossiers (listening to `dossiers.signals`) and the catalogue; nothing below imports it.
"""
