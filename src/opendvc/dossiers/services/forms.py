"""Publishing e-form definitions: a changed schema becomes a new version; dossiers keep theirs."""

from django.db import transaction
from django.utils.translation import gettext as _

from opendvc.catalog.models import Procedure
from opendvc.core import audit
from opendvc.core.errors import DomainError
from opendvc.dossiers.eforms.schema import check_definition
from opendvc.dossiers.models import FormDefinition


@transaction.atomic
def publish_form(*, procedure: Procedure, schema: dict, allow_registry_changes: bool = False, actor=None):
    """Publish `schema` for `procedure`; returns (definition, created). An unchanged schema is kept."""
    problems = check_definition(schema)
    if problems:
        raise DomainError(
            _("Định nghĩa biểu mẫu có lỗi."), code="invalid_form_definition", fields={"schema": problems}
        )
    latest = procedure.form_definitions.order_by("-version").first()
    if (
        latest is not None
        and latest.schema == schema
        and latest.allow_registry_changes == allow_registry_changes
    ):
        return latest, False
    definition = FormDefinition.objects.create(
        procedure=procedure,
        version=(latest.version + 1) if latest else 1,
        schema=schema,
        allow_registry_changes=allow_registry_changes,
    )
    audit.record(
        "form.published", actor=actor, target=definition, procedure=procedure.code, version=definition.version
    )
    return definition, True
