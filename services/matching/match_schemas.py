"""API shapes of matches (協働の流れ), case studies (協働事例) and statistics.

Bodies refuse unknown fields. Every free text is bounded and free of control
characters; the items of an agreement and of a review are all required.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.fieldtypes import Id
from services.common.identifiers import MunicipalityCode
from services.common.pagination import MAX_FILTER_VALUES, ListQuery
from services.common.textfields import multi_line, single_line
from services.common.timefmt import Timestamp
from services.common.vocabulary import ActivityField, CollaborationForm, Sector

__all__ = [
    "END_STATES",
    "MATCH_STATUSES",
    "Agreement",
    "CaseStudyCreate",
    "CaseStudyFilters",
    "CaseStudyPublic",
    "CaseStudyStatus",
    "HistoryEntry",
    "MatchCreate",
    "MatchFilters",
    "MatchPublic",
    "MatchStatus",
    "MatchTransition",
    "ProgressNote",
    "ProgressNoteCreate",
    "Review",
    "ReviewPublic",
    "Side",
    "Stats",
    "StatsQuery",
]

MatchStatus = Literal[
    "proposed",
    "in_discussion",
    "agreed",
    "in_progress",
    "completed",
    "reviewed",
    "declined",
    "withdrawn",
]
MATCH_STATUSES: tuple[str, ...] = get_args(MatchStatus)
END_STATES = frozenset({"declined", "withdrawn"})
"""Statuses that end a match early; each needs a reason."""
Side = Literal["issue", "partner"]
"""`issue`: the organisation that posted the issue; `partner`: the other party."""
Proposer = Literal["issue", "partner", "admin"]
"""Who proposed a match: one side, or the administrator (for neither side)."""
CaseStudyStatus = Literal["draft", "published"]

_ID = "019a2b3c-8d9e-7fa0-8a1b-2c3d4e5f6a81"
_ISSUE_ID = "019a2b3c-6d7e-7f80-8a1b-2c3d4e5f6a7d"
_ISSUE_ORG = "019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b"
_PARTNER_ORG = "019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7e"
_RESOURCE_ID = "019a2b3c-5d6e-7f70-8a1b-2c3d4e5f6a7c"


def _text(max_length: int) -> Any:
    """A required free text (not blank)."""
    return Annotated[multi_line(max_length), Field(min_length=1)]


# --- creating a match ---------------------------------------------------------------


class MatchCreate(BaseModel):
    """Propose a collaboration: an issue and either a resource (its organisation becomes
    the partner) or an organisation asked directly."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "issue_id": _ISSUE_ID,
                    "resource_id": _RESOURCE_ID,
                    "message": "調理室を土曜の午前にお借りできないでしょうか。",
                },
                {"issue_id": _ISSUE_ID, "organization_id": _PARTNER_ORG},
            ]
        },
    )

    issue_id: Id
    resource_id: Id | None = Field(None, description="The resource asked for (シーズ).")
    organization_id: Id | None = Field(
        None, description="An organisation asked directly, without naming a resource."
    )
    message: multi_line(4000) = Field("", description="A first message to the other side.")  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _one_partner(self) -> MatchCreate:
        if (self.resource_id is None) == (self.organization_id is None):
            raise ValueError("give either resource_id or organization_id (exactly one)")
        return self


# --- the agreement (事業内容の協議と合意) -------------------------------------------------


class Roles(BaseModel):
    """Who does what (役割分担), for each side."""

    model_config = ConfigDict(extra="forbid")
    issue: _text(2000) = Field(description="The role of the side that posted the issue.")  # type: ignore[valid-type]
    partner: _text(2000) = Field(description="The role of the partner.")  # type: ignore[valid-type]


class Schedule(BaseModel):
    """When the collaboration runs (実施期間・スケジュール)."""

    model_config = ConfigDict(extra="forbid")
    starts_on: date
    ends_on: date
    note: multi_line(2000) = ""  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _ordered(self) -> Schedule:
        for day in (self.starts_on, self.ends_on):
            if not 1900 <= day.year <= 2200:
                raise ValueError("schedule dates must be between 1900 and 2200")
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


_AGREEMENT_EXAMPLE: dict[str, Any] = {
    "purpose": "地域のこどもが毎週安心して食事できる場をつくる。",
    "collaboration_form": "partnership",
    "roles": {
        "issue": "こども食堂の運営、参加者の受付、食材の調達。",
        "partner": "調理室の提供と衛生管理の助言。",
    },
    "cost_sharing": "光熱費は公民館が負担し、食材費はこども食堂が負担する。",
    "schedule": {
        "starts_on": "2027-04-01",
        "ends_on": "2028-03-31",
        "note": "毎週土曜 10:00〜14:00",
    },
    "content": "毎週土曜に調理室でこども食堂を開き、月1回は料理教室を開く。",
    "responsibility": "調理中の事故はこども食堂が、施設の不具合は公民館が責任を負う。",
    "results_ownership": "記録写真と報告書は両者が共有し、公表には双方の同意を要する。",
    "personal_data": "参加者名簿はこども食堂のみが保管し、事業終了後1年で廃棄する。",
}


class Agreement(BaseModel):
    """What both sides agreed (協定書・合意書の項目); every item is required."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_AGREEMENT_EXAMPLE]})

    purpose: _text(2000) = Field(description="目的: the shared purpose.")  # type: ignore[valid-type]
    collaboration_form: CollaborationForm = Field(description="協働の形態.")
    roles: Roles = Field(description="役割分担.")
    cost_sharing: _text(2000) = Field(description="経費の負担.")  # type: ignore[valid-type]
    schedule: Schedule = Field(description="実施期間.")
    content: _text(4000) = Field(description="事業内容.")  # type: ignore[valid-type]
    responsibility: _text(2000) = Field(description="責任の範囲 (scope of responsibility).")  # type: ignore[valid-type]
    results_ownership: _text(2000) = Field(description="成果の帰属 (ownership of results).")  # type: ignore[valid-type]
    personal_data: _text(2000) = Field(description="個人情報の取扱い.")  # type: ignore[valid-type]


# --- moving a match -----------------------------------------------------------------


class MatchTransition(BaseModel):
    """Move a match to its next status. `declined` and `withdrawn` need a `reason`.
    `agreed` needs both sides: the first sends the complete `agreement` (it stays
    pending), the other confirms it with `{"to": "agreed"}` (or the same agreement);
    a different agreement replaces the pending one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"to": "in_discussion"},
                {"to": "agreed", "agreement": _AGREEMENT_EXAMPLE},
                {"to": "declined", "reason": "今年度は調理室の改修で貸し出せません。"},
            ]
        },
    )

    to: MatchStatus
    reason: multi_line(1000) | None = Field(  # type: ignore[valid-type]
        None, description="Why (required for `declined` and `withdrawn`; kept in the history)."
    )
    agreement: Agreement | None = Field(
        None,
        description="Only with `to: agreed`: required to propose an agreement, optional to "
        "confirm the one the other side proposed.",
    )


class ProgressNoteCreate(BaseModel):
    """A progress note (実施状況の記録) on a running collaboration."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"note": "第1回を開催し、こども23人が参加した。"}]},
    )
    note: _text(4000)  # type: ignore[valid-type]


class ProgressNote(BaseModel):
    """A progress note as stored: who wrote it and when."""

    id: str
    note: str
    by: str = Field(description="The API client that wrote it.")
    at: Timestamp


Rating = Annotated[int, Field(ge=1, le=5, description="1 (not at all) to 5 (fully).")]

_REVIEW_EXAMPLE: dict[str, Any] = {
    "purpose_shared": 5,
    "equal_partners": 4,
    "communication": 4,
    "roles_clear": 5,
    "fair_and_transparent": 4,
    "better_than_alone": 5,
    "goals_achieved": 4,
    "lessons": "最初の打合せで役割を文書にしたことで、当日の混乱がなかった。",
    "comment": "次年度も続けたい。",
}


class Review(BaseModel):
    """One side's review (ふりかえり): the guideline's checklist, rated 1–5, and lessons."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_REVIEW_EXAMPLE]})

    purpose_shared: Rating = Field(description="目的を共有できたか.")
    equal_partners: Rating = Field(description="対等な関係だったか.")
    communication: Rating = Field(description="意思疎通は十分だったか.")
    roles_clear: Rating = Field(description="役割と責任は明確だったか.")
    fair_and_transparent: Rating = Field(description="公平で透明だったか.")
    better_than_alone: Rating = Field(description="単独より良い成果が出たか.")
    goals_achieved: Rating = Field(description="目標を達成できたか.")
    lessons: _text(4000) = Field(description="次に活かす教訓.")  # type: ignore[valid-type]
    comment: multi_line(2000) | None = None  # type: ignore[valid-type]


class ReviewPublic(Review):
    """A review as stored: who answered and when."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {**_REVIEW_EXAMPLE, "by": "client-sakura", "at": "2028-04-02T10:00:00+09:00"}
            ]
        },
    )
    by: str
    at: Timestamp


class HistoryEntry(BaseModel):
    """One move of a match: from, to, when, by which client, why."""

    model_config = ConfigDict(populate_by_name=True)

    from_status: MatchStatus | None = Field(alias="from")
    to: MatchStatus
    at: Timestamp
    by: str = Field(description="The API client that made the move.")
    reason: str | None = None


class MatchPublic(BaseModel):
    """A match as one of its parties sees it. The other side's review stays hidden
    until both sides have answered."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _ID,
                    "issue_id": _ISSUE_ID,
                    "issue_title": "こども食堂の運営パートナー募集",
                    "issue_organization_id": _ISSUE_ORG,
                    "issue_organization_name": "桜ヶ丘こども食堂ネットワーク",
                    "resource_id": _RESOURCE_ID,
                    "resource_title": "公民館の調理室",
                    "organization_id": _PARTNER_ORG,
                    "organization_name": "桜ヶ丘地区自治会連合会",
                    "status": "agreed",
                    "proposed_by": "issue",
                    "message": "調理室を土曜の午前にお借りできないでしょうか。",
                    "reason": None,
                    "score": 0.812,
                    "factor_values": {"text": 0.61, "fields": 1.0, "type": 1.0},
                    "agreement": _AGREEMENT_EXAMPLE,
                    "pending_agreement": None,
                    "agreement_pending_from": None,
                    "progress_notes": [],
                    "reviews": {"issue": None, "partner": None},
                    "reviewed_by": [],
                    "caller_sides": ["issue"],
                    "history": [
                        {
                            "from": None,
                            "to": "proposed",
                            "at": "2027-02-01T10:00:00+09:00",
                            "by": "client-sakura",
                            "reason": None,
                        },
                        {
                            "from": "proposed",
                            "to": "in_discussion",
                            "at": "2027-02-03T15:00:00+09:00",
                            "by": "client-kominkan",
                            "reason": None,
                        },
                        {
                            "from": "in_discussion",
                            "to": "agreed",
                            "at": "2027-03-10T11:00:00+09:00",
                            "by": "client-sakura",
                            "reason": None,
                        },
                    ],
                    "created_at": "2027-02-01T10:00:00+09:00",
                    "updated_at": "2027-03-10T11:00:00+09:00",
                    "agreed_at": "2027-03-10T11:00:00+09:00",
                    "completed_at": None,
                    "version": 3,
                }
            ]
        }
    )

    id: str
    issue_id: str
    issue_title: str
    issue_organization_id: str
    issue_organization_name: str
    resource_id: str | None
    resource_title: str | None
    organization_id: str = Field(description="The partner organisation.")
    organization_name: str
    status: MatchStatus
    proposed_by: Proposer = Field(
        description="The side that proposed the match (`admin`: the administrator). From "
        "`proposed`, only the other side accepts or declines, only the proposer withdraws."
    )
    message: str
    reason: str | None = Field(description="Why it was declined or withdrawn.")
    score: float | None = Field(
        description="The resource's score when proposed (null if unranked)."
    )
    factor_values: dict[str, float] | None = Field(
        description="Each factor's value (0..1) when proposed: feedback for learning weights."
    )
    agreement: Agreement | None = Field(description="What both sides agreed (from `agreed`).")
    pending_agreement: Agreement | None = Field(
        description="An agreement one side sent, awaiting the other side's confirmation."
    )
    agreement_pending_from: Side | None = Field(
        description="The side whose confirmation `pending_agreement` awaits."
    )
    progress_notes: list[ProgressNote]
    reviews: dict[Side, ReviewPublic | None] = Field(
        description="Each side's review; the other side's is null until both have answered."
    )
    reviewed_by: list[Side] = Field(description="The sides that have answered their review.")
    caller_sides: list[Side] = Field(
        description="The sides the caller acts for (both for the administrator)."
    )
    history: list[HistoryEntry]
    created_at: Timestamp
    updated_at: Timestamp
    agreed_at: Timestamp | None
    completed_at: Timestamp | None
    version: int


class MatchFilters(ListQuery):
    """Filters of `GET /v1/matches`. Only matches the caller is a party to are listed."""

    issue_id: Id | None = Field(None, description="Matches of this issue.")
    organization_id: Id | None = Field(
        None, description="Matches where this organisation is either side."
    )
    status: list[MatchStatus] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Status (any of)."
    )


# --- case studies (協働事例) ----------------------------------------------------------


class CaseStudyCreate(BaseModel):
    """A side's consent to publishing a reviewed collaboration, with the text. `lessons`
    defaults to the review lessons of the sides that consented, `collaboration_form`
    to the agreement's."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "公民館の調理室で開くこども食堂",
                    "summary": "こども食堂と自治会が、公民館の調理室で毎週こども食堂を開いた。",
                    "outcomes": "1年間で48回開催、延べ1,100人のこどもが参加した。",
                }
            ]
        },
    )

    title: single_line(200)  # type: ignore[valid-type]
    summary: _text(4000)  # type: ignore[valid-type]
    outcomes: multi_line(4000) = ""  # type: ignore[valid-type]
    lessons: multi_line(8000) | None = None  # type: ignore[valid-type]
    collaboration_form: CollaborationForm | None = None


class CaseStudyPartner(BaseModel):
    """An organisation of a case study, with its sector."""

    id: str
    name: str
    sector: Sector | Literal[""]
    side: Side


class CaseStudyPublic(BaseModel):
    """A published collaboration (協働事例)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "019a2b3c-9dae-7fb0-8a1b-2c3d4e5f6a82",
                    "match_id": _ID,
                    "issue_id": _ISSUE_ID,
                    "status": "published",
                    "consents": ["issue", "partner"],
                    "awaiting_consent_from": None,
                    "title": "公民館の調理室で開くこども食堂",
                    "summary": "こども食堂と自治会が、公民館の調理室で毎週こども食堂を開いた。",
                    "outcomes": "1年間で48回開催、延べ1,100人のこどもが参加した。",
                    "lessons": "最初の打合せで役割を文書にしたことで、当日の混乱がなかった。",
                    "fields": ["child_development"],
                    "collaboration_form": "partnership",
                    "sectors": ["civil", "community"],
                    "organizations": [
                        {
                            "id": _ISSUE_ORG,
                            "name": "桜ヶ丘こども食堂ネットワーク",
                            "sector": "civil",
                            "side": "issue",
                        },
                        {
                            "id": _PARTNER_ORG,
                            "name": "桜ヶ丘地区自治会連合会",
                            "sector": "community",
                            "side": "partner",
                        },
                    ],
                    "municipality_code": "102997",
                    "published_at": "2028-04-20T10:00:00+09:00",
                    "updated_at": "2028-04-20T10:00:00+09:00",
                    "version": 1,
                }
            ]
        }
    )

    id: str
    match_id: str
    issue_id: str
    status: CaseStudyStatus = Field(
        description="`draft` (only the parties see it) until both sides consent, then `published`."
    )
    consents: list[Side] = Field(description="The sides that consented to this text.")
    awaiting_consent_from: Side | None = Field(
        description="The side whose consent a draft awaits (null once published)."
    )
    title: str
    summary: str
    outcomes: str
    lessons: str
    fields: list[ActivityField]
    collaboration_form: CollaborationForm
    sectors: list[Sector]
    organizations: list[CaseStudyPartner]
    municipality_code: str
    published_at: Timestamp | None
    updated_at: Timestamp
    version: int


class CaseStudyFilters(ListQuery):
    """Filters of `GET /v1/case-studies`. Repeating a parameter means "any of"."""

    q: single_line(200) | None = Field(  # type: ignore[valid-type]
        None, description="Text search, Japanese-aware: 子供 finds 子ども, こども and ｺﾄﾞﾓ."
    )
    field: list[ActivityField] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Activity field (any of)."
    )
    collaboration_form: list[CollaborationForm] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Form (any of)."
    )
    sector: list[Sector] = Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Case studies with a partner of this sector (any of).",
    )
    municipality_code: list[MunicipalityCode] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES, description="Municipality (any of)."
    )


# --- statistics ---------------------------------------------------------------------


class StatsQuery(BaseModel):
    """Filters of `GET /v1/stats`."""

    model_config = ConfigDict(extra="forbid")

    municipality_code: MunicipalityCode | None = Field(
        None, description="Only issues of this municipality (and their matches)."
    )
    year: int | None = Field(
        None,
        ge=1900,
        le=2200,
        description="Only this year (Japan time), each figure by its own date: matches by "
        "proposal, issues by first opening, collaborations and times by first agreement.",
    )


class Collaborations(BaseModel):
    """Collaborations: an issue with every partner it reached agreement with."""

    total: int = Field(description="Issues with at least one match that reached `agreed`.")
    agreed_matches: int = Field(description="Matches that reached `agreed` (or beyond).")
    by_sectors: dict[str, int] = Field(
        description='Per sorted sector combination ("business+civil+government").'
    )
    cross_sector: int = Field(
        description="Cross-sector collaborations: those joining three or more "
        "of the sectors government, civil, business, academia and community, as the glossary "
        "defines them; the headline indicator. `by_sectors` has the two-sector ones."
    )
    three_or_more_sectors: int = Field(
        deprecated=True,
        description="The same figure as `cross_sector`, which it was named before the "
        "glossary's definition applied; use `cross_sector`.",
    )


class TimeToAgreement(BaseModel):
    """Days from first opening an issue (`opened_at`) to its first agreement."""

    count: int
    median_days: float | None
    mean_days: float | None


class Stats(BaseModel):
    """Aggregate figures of collaboration; no names, no personal data."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "municipality_code": None,
                    "year": None,
                    "matches_per_year": {"2026": 14, "2027": 31},
                    "matches_per_municipality": {"102016": 9, "102997": 36},
                    "collaborations": {
                        "total": 12,
                        "agreed_matches": 17,
                        "by_sectors": {
                            "civil": 2,
                            "civil+community": 4,
                            "business+civil+government": 3,
                            "academia+civil": 3,
                        },
                        "cross_sector": 3,
                        "three_or_more_sectors": 3,
                    },
                    "issues_per_month": {"2027-01": 4, "2027-02": 6, "2027-03": 3},
                    "time_to_first_agreement": {
                        "count": 12,
                        "median_days": 23.5,
                        "mean_days": 31.2,
                    },
                }
            ]
        }
    )

    municipality_code: str | None
    year: int | None
    matches_per_year: dict[str, int] = Field(description="Matches proposed, per year.")
    matches_per_municipality: dict[str, int] = Field(
        description="Matches proposed, per municipality of the issue."
    )
    collaborations: Collaborations
    issues_per_month: dict[str, int] = Field(
        description="Issues posted, per month of first opening (`opened_at`); drafts never "
        "opened are not counted."
    )
    time_to_first_agreement: TimeToAgreement
