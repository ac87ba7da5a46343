"""The scorecard follows dossiers (their timeline, which also says when they are paid or rated) and
feedback: every change updates the counters in the change's own transaction."""

from django.dispatch import receiver

from opendvc.dossiers.signals import dossier_event
from opendvc.feedback.signals import feedback_changed
from opendvc.scorecard import counters


@receiver(dossier_event, dispatch_uid="scorecard.dossier")
def _dossier_changed(sender, dossier, event, **kwargs):
    if dossier.received_at is None:  # a draft or a dossier waiting at the desk counts for nothing yet
        return
    counters.refresh_dossier(dossier.pk)


@receiver(feedback_changed, dispatch_uid="scorecard.feedback")
def _feedback_changed(sender, feedback_id, **kwargs):
    counters.refresh_feedback(feedback_id)
