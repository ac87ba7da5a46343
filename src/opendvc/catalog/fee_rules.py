"""The rule of a fee (`Fee.rule`): which case of the e-form it applies to and how it is counted.

A fee of the catalogue is a line of the procedure's "Phí, lệ phí". Its amount is fixed (`amount`), free (0)
or set by the agency for the case at hand (`None`: the official states it with "request financial
obligation", status 6). The rule, a JSON object, says when the line applies and how many units it counts;
an empty rule means the line always applies once.

```json
{"when": {"field": "fee_reduction", "equals": "student"}}   // the e-form answer that selects this case
{"channel": "online"}                                        // only dossiers filed online ("counter": at
                                                             // the desk or by post)
{"per": "copies", "after": 2}                                // amount × (copies − 2): from the 3rd copy on
{"per": "papers.pages", "up_to": 2}                          // amount × pages, at most 2 per item of the
                                                             // repeatable group "papers", summed
{"per": "papers.pages", "after": 2, "max": 200000}           // … and the line never more than 200,000 đ
```

`when` has the e-form's condition syntax (docs/eforms.md: `equals`, `not_equals`, `in`, `is_true`) and is
false when the dossier has no such answer. `per` names a number field; inside a repeatable group each
item counts on its own (`after` and `up_to` apply per item) and the items are added up. The dossier side
evaluates rules (`dossiers.services.fees`); this module only checks their shape.
"""

from django.utils.translation import gettext as _

CONDITION_OPS = ("equals", "not_equals", "in", "is_true")
CHANNELS = ("online", "counter")
KEYS = {"when", "channel", "per", "after", "up_to", "max"}
_PATH_PART = "abcdefghijklmnopqrstuvwxyz0123456789_"


def _is_path(value) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= 200
        and all(part and part[0].isalpha() and set(part) <= set(_PATH_PART) for part in value.split("."))
    )


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def rule_problems(rule) -> list[str]:
    """What is wrong with a rule, each as one sentence (empty when it is usable)."""
    if rule in (None, {}):
        return []
    if not isinstance(rule, dict):
        return [_("Trường hợp áp dụng phải là một đối tượng JSON.")]
    problems = []
    unknown = sorted(set(rule) - KEYS)
    if unknown:
        problems.append(_("Khóa không dùng được: %(keys)s.") % {"keys": ", ".join(unknown)})
    when = rule.get("when")
    if when is not None:
        ops = [op for op in CONDITION_OPS if isinstance(when, dict) and op in when]
        if (
            not isinstance(when, dict)
            or not _is_path(when.get("field"))
            or len(ops) != 1
            or set(when) - {"field", *CONDITION_OPS}
        ):
            problems.append(_("«when» cần «field» và đúng một trong equals, not_equals, in, is_true."))
        elif ops[0] == "in" and not isinstance(when["in"], list):
            problems.append(_("«in» cần một danh sách giá trị."))
    if "channel" in rule and rule["channel"] not in CHANNELS:
        problems.append(_("«channel» là online hoặc counter."))
    if "per" in rule and not _is_path(rule["per"]):
        problems.append(_("«per» là đường dẫn tới một trường số của biểu mẫu."))
    for key in ("after", "up_to", "max"):
        if key in rule and not _whole(rule[key]):
            problems.append(_("«%(key)s» là một số nguyên không âm.") % {"key": key})
    if ("after" in rule or "up_to" in rule) and "per" not in rule:
        problems.append(_("«after» và «up_to» chỉ dùng cùng «per»."))
    if _whole(rule.get("after")) and _whole(rule.get("up_to")) and rule["up_to"] <= rule["after"]:
        problems.append(_("«up_to» phải lớn hơn «after»."))
    return problems
