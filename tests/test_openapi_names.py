"""Every schema the API documents has a name of its own: two under one name would show one
route's body under another's (the containment body was once shown as a fix action's)."""

from typing import Any

from ninja import Schema


def _schemas_by_name() -> dict[str, list[Any]]:
    from ownup.api import api

    seen: dict[str, list[Any]] = {}
    for _, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                models = list(operation.models)
                models += [m for m in operation.response_models.values() if m is not None]
                for model in models:
                    schema = model.model_json_schema(ref_template="{model}")
                    for name, definition in schema.get("$defs", {}).items():
                        seen.setdefault(name, []).append(definition)
                    for field in model.model_fields.values():
                        inner = getattr(field.annotation, "__name__", "")
                        if isinstance(field.annotation, type) and issubclass(
                            field.annotation, Schema
                        ):
                            seen.setdefault(inner, []).append(
                                field.annotation.model_json_schema(ref_template="{model}")
                            )
    return seen


def test_no_two_schemas_share_a_name(db):
    clashes = {
        name: len({repr(sorted(d.get("properties", d).items())) for d in definitions})
        for name, definitions in _schemas_by_name().items()
    }
    assert {name: n for name, n in clashes.items() if n > 1} == {}
