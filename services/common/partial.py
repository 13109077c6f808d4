"""Partial-update models derived from create models (PATCH with JSON merge semantics).

A field left out is unchanged and ``null`` clears an optional field; a field
the create model requires (or defaults to a non-null value) may not be nulled.
Cross-field rules are not checked here: the service checks them on the merged
state, so the update model stays in step with the create model by construction.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from pydantic import BaseModel, ConfigDict, ValidationError, create_model, model_validator
from pydantic.fields import FieldInfo

from services.common.problems import FieldError, ValidationProblem

__all__ = ["partial_model", "revalidate_merged"]


def revalidate_merged(model: type[BaseModel], values: dict[str, Any]) -> BaseModel:
    """Check the merged state of a partial update against the full create rules (422)."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        errors = [
            FieldError(
                field=".".join(["body", *(str(part) for part in err["loc"])]),
                message=err["msg"],
                code=err["type"],
            )
            for err in exc.errors()
        ]
        raise ValidationProblem(
            "The update would leave the record invalid.", errors=errors
        ) from None


def _with_constraints(info: FieldInfo) -> Any:
    # Pydantic keeps a field's constraints (lengths, ranges, validators) as metadata.
    if not info.metadata:
        return info.annotation
    return Annotated[info.annotation, *info.metadata]


def partial_model(
    model: type[BaseModel],
    *,
    name: str,
    doc: str,
    exclude: frozenset[str] = frozenset(),
    examples: list[dict[str, Any]] | None = None,
) -> type[BaseModel]:
    """A model with every field of ``model`` (but ``exclude``) optional."""
    not_nullable = frozenset(
        field_name
        for field_name, info in model.model_fields.items()
        if info.is_required() or info.default is not None or info.default_factory is not None
    )

    class PartialBase(BaseModel):
        model_config = ConfigDict(
            extra="forbid", json_schema_extra={"examples": cast(Any, examples or [])}
        )

        @model_validator(mode="after")
        def _required_stay_set(self) -> PartialBase:
            for field_name in not_nullable & self.model_fields_set:
                if getattr(self, field_name) is None:
                    raise ValueError(f"{field_name} cannot be null")
            return self

    fields: dict[str, Any] = {
        field_name: (_with_constraints(info) | None, None)
        for field_name, info in model.model_fields.items()
        if field_name not in exclude
    }
    return create_model(name, __base__=PartialBase, __doc__=doc, **fields)
