"""Payments writes: charges, orders, settlement (IPN and reconciliation), receipts, reports."""
