"""Feedback writes: sending, handling by agencies, votes."""
