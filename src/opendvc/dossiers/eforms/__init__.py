"""The e-form engine (biểu mẫu điện tử) of dossiers: definitions as data, validation, prefill, rendering.

It works on plain dicts — a definition (schema.py, SCHEMA.md), the answers of a draft — and must not
import the dossiers models: the app stores the schema in `FormDefinition.schema`, the answers in the
draft, and calls these modules:

- `schema.check_definition` / `schema.load_definition` -> `spec.FormSpec`;
- `validation.validate` -> typed answers and field-level Vietnamese messages by dotted path;
- `forms_data.parse_post` / `to_post` / `apply_action` between HTML forms and answers;
- `prefill.prefill` / `enforce_locked` (declare once: account, population registry, earlier dossiers);
- `render.render_step` / `render_summary` / `error_summary` / `render_communes` (templates under
  templates/dossiers/eforms/);
- `addresses` (province → commune lists behind the `AddressBook` protocol), `demo.definitions()`.
"""
