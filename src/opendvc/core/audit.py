"""Recording state changes in the append-only audit trail (`core.models.AuditEvent`)."""

from opendvc.core.models import AuditEvent
from opendvc.core.request_info import client_ip


def record(action: str, *, actor=None, target=None, request=None, **details) -> AuditEvent:
    """Append one event. `target` is a model instance (or None); `details` hold no clear personal data."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip_address=client_ip(request) if request is not None else None,
        details=details,
    )
