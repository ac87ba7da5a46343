"""What the dossiers app tells the apps that build on it (payments, feedback, the scorecard).

Dependencies point one way (`catalog` ← `dossiers` ← `payments`/`scorecard`), so dossiers never imports
those apps; they listen here instead:

- `dossier_event(dossier, event)`: a timeline event was recorded, inside the transaction of the change
  (receivers that write do so in the same transaction: all or nothing).
- `before_action(dossier, action, actor)`: an action is about to change the dossier, after the permission
  and status checks, with the row locked. A receiver refuses it by raising a `DomainError` whose message
  tells the official what to do first (payments: "collect the fee before returning the result").
- `detail_panels(request, dossier, audience)`: the dossier's page is being drawn for "applicant" or
  "official"; a receiver returns HTML (already escaped, e.g. from a template) to show on it, or "".
"""

from django.dispatch import Signal

dossier_event = Signal()
before_action = Signal()
detail_panels = Signal()


def panels_for(request, dossier, audience: str) -> list[str]:
    """The HTML of every panel other apps add to the dossier's page, in the order they registered."""
    replies = detail_panels.send(sender=type(dossier), request=request, dossier=dossier, audience=audience)
    return [html for _receiver, html in replies if html]
