"""`when` conditions: whether a field is shown for the current answers.

A condition reads the typed value of another field (see values.try_clean). It is false when that field is
unanswered, invalid or itself hidden, whatever the operator — so a chain of conditions hides a whole branch.
A field inside a repeatable group may depend on a field of the same item ("members.relationship");
`item` is then the answers of that item.
"""

from opendvc.dossiers.eforms.values import try_clean

_MAX_DEPTH = 16  # check_definition refuses cycles; this only bounds a corrupt spec


def value_at(data, parts) -> object:
    """The raw answer at a list of keys, or None when any level is missing or not a dict."""
    current = data
    for part in parts:
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current


def _raw_value(spec, ref, data: dict, item: dict | None, field) -> object:
    parts = ref.path.split(".")
    if ref.repeat_scope and ref.repeat_scope == field.repeat_scope:
        return value_at(item, parts[len(ref.repeat_scope.split(".")) :])
    return value_at(data, parts)


def _holds(condition, value) -> bool:
    if value is None:
        return False
    if condition.op == "equals":
        return value == condition.value
    if condition.op == "not_equals":
        return value != condition.value
    if condition.op == "in":
        return value in condition.value
    if condition.op == "is_true":
        return value is bool(condition.value)
    return False


def is_visible(spec, field, data: dict, item: dict | None = None, _depth: int = 0) -> bool:
    """Whether `field` (and each group around it) is shown for `data` (the answers of the whole form)."""
    if _depth > _MAX_DEPTH or not isinstance(data, dict):
        return False
    scope = field.scope
    for length in range(1, len(scope) + 1):  # the enclosing groups, outermost first
        group = spec.field(".".join(scope[:length]))
        if group.when is not None and not _condition_holds(spec, group, data, item, _depth):
            return False
    if field.when is None:
        return True
    return _condition_holds(spec, field, data, item, _depth)


def _condition_holds(spec, field, data, item, depth) -> bool:
    condition = field.when
    try:
        ref = spec.field(condition.field)
    except KeyError:
        return False
    same_item = ref.repeat_scope and ref.repeat_scope == field.repeat_scope
    if not is_visible(spec, ref, data, item if same_item else None, depth + 1):
        return False
    return _holds(condition, try_clean(ref, _raw_value(spec, ref, data, item, field)))


def condition_holds(spec, when: dict, data: dict) -> bool:
    """Whether a `when` condition (the e-form syntax) written outside the form holds for these answers.

    For rules that read a dossier's answers from elsewhere (the cases of a procedure's fees): false when
    the condition is malformed or names a field the form does not have, like any condition on an
    unanswered field."""
    from opendvc.dossiers.eforms.spec import CONDITION_OPS, Condition, FieldSpec

    ops = [op for op in CONDITION_OPS if isinstance(when, dict) and op in when]
    if len(ops) != 1 or not isinstance(when.get("field"), str) or not spec.has_field(when["field"]):
        return False
    probe = FieldSpec(
        key="_rule", type="text", label_vi="", when=Condition(when["field"], ops[0], when[ops[0]])
    )
    return is_visible(spec, probe, data)
