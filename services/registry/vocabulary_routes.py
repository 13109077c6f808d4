"""The glossary as data for clients: values with their Japanese labels."""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict

from services.common.vocabulary import (
    ACTIVITY_FIELDS,
    COLLABORATION_FORMS,
    KIND_SECTORS,
    RESOURCE_TYPES,
    Sector,
)

__all__ = ["Vocabulary", "router"]

router = APIRouter(prefix="/v1")
TAGS: list[str | Enum] = ["registry"]


class Term(BaseModel):
    value: str
    label_ja: str
    code: int | None = None
    sector: Sector | None = None


class Vocabulary(BaseModel):
    """The enumerations the registry accepts, with 日本語 labels."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "organization_kinds": [
                        {
                            "value": "npo_corporation",
                            "label_ja": "特定非営利活動法人（NPO法人）",
                            "code": None,
                            "sector": "civil",
                        }
                    ],
                    "activity_fields": [
                        {
                            "value": "health_welfare",
                            "label_ja": "保健、医療又は福祉の増進",
                            "code": 1,
                            "sector": None,
                        }
                    ],
                    "resource_types": [
                        {
                            "value": "venue",
                            "label_ja": "活動場所・施設の提供",
                            "code": None,
                            "sector": None,
                        }
                    ],
                    "collaboration_forms": [
                        {
                            "value": "partnership",
                            "label_ja": "事業協力・連携",
                            "code": None,
                            "sector": None,
                        }
                    ],
                }
            ]
        }
    )
    organization_kinds: list[Term]
    activity_fields: list[Term]
    resource_types: list[Term]
    collaboration_forms: list[Term]


VOCABULARY = Vocabulary(
    organization_kinds=[
        Term(value=kind, label_ja=label, sector=sector)
        for kind, (label, sector) in KIND_SECTORS.items()
    ],
    activity_fields=[
        Term(value=field, label_ja=label, code=code)
        for field, (code, label) in ACTIVITY_FIELDS.items()
    ],
    resource_types=[Term(value=value, label_ja=label) for value, label in RESOURCE_TYPES.items()],
    collaboration_forms=[
        Term(value=value, label_ja=label) for value, label in COLLABORATION_FORMS.items()
    ],
)


@router.get("/registry/vocabulary", tags=TAGS, response_model=Vocabulary)
def get_vocabulary(response: Response) -> Vocabulary:
    """The organisation kinds, the 20 activity fields and the resource types, with labels."""
    response.headers["Cache-Control"] = "public, max-age=86400"
    return VOCABULARY
