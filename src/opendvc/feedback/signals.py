"""What the feedback app tells the apps that build on it (the scorecard): `feedback_changed(feedback_id)`,
sent inside the transaction of every change (a step of its handling, a vote)."""

from django.dispatch import Signal

feedback_changed = Signal()
