"""The domain vocabulary of ../shared/GLOSSARY.md, as data in one place.

Enumerations are built from the tables below, so extending the vocabulary is a
one-line change here. Japanese labels travel with the values for documentation,
exports and embeds.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ACTIVITY_FIELDS",
    "COLLABORATION_FORMS",
    "KIND_SECTORS",
    "RESOURCE_TYPES",
    "ActivityField",
    "CollaborationForm",
    "OrganizationKind",
    "ResourceType",
    "Sector",
    "sector_of",
]


class Sector(StrEnum):
    """The five sectors a cross-sector collaboration counts."""

    government = "government"
    civil = "civil"
    business = "business"
    academia = "academia"
    community = "community"


# kind -> (日本語, sector)
KIND_SECTORS: dict[str, tuple[str, Sector]] = {
    "npo_corporation": ("特定非営利活動法人（NPO法人）", Sector.civil),
    "general_incorporated": ("一般社団法人・一般財団法人", Sector.civil),
    "public_interest_corporation": ("公益社団法人・公益財団法人", Sector.civil),
    "volunteer_group": ("ボランティア団体・任意団体", Sector.civil),
    "neighbourhood_association": ("町内会・自治会・地域コミュニティ協議会", Sector.community),
    "intermediary": ("中間支援組織（市民活動支援センター）", Sector.civil),
    "social_welfare_council": ("社会福祉協議会", Sector.civil),
    "company": ("企業", Sector.business),
    "university": ("大学・短期大学・研究機関", Sector.academia),
    "school": ("高等学校・専修学校などの教育機関", Sector.academia),
    "government": ("行政（都道府県・市区町村）", Sector.government),
}

# API value -> (NPO Act code, 分野)
ACTIVITY_FIELDS: dict[str, tuple[int, str]] = {
    "health_welfare": (1, "保健、医療又は福祉の増進"),
    "social_education": (2, "社会教育の推進"),
    "community_development": (3, "まちづくりの推進"),
    "tourism": (4, "観光の振興"),
    "rural_development": (5, "農山漁村又は中山間地域の振興"),
    "culture_arts_sports": (6, "学術、文化、芸術又はスポーツの振興"),
    "environment": (7, "環境の保全"),
    "disaster_relief": (8, "災害救援"),
    "community_safety": (9, "地域安全"),
    "human_rights_peace": (10, "人権の擁護又は平和の推進"),
    "international_cooperation": (11, "国際協力"),
    "gender_equality": (12, "男女共同参画社会の形成の促進"),
    "child_development": (13, "子どもの健全育成"),
    "information_society": (14, "情報化社会の発展"),
    "science_technology": (15, "科学技術の振興"),
    "economic_revitalization": (16, "経済活動の活性化"),
    "employment_support": (17, "職業能力の開発又は雇用機会の拡充の支援"),
    "consumer_protection": (18, "消費者の保護"),
    "civil_society_support": (19, "前各号の活動を行う団体の運営・活動に関する連絡、助言又は援助"),
    "ordinance_designated": (20, "都道府県・指定都市の条例で定める活動"),
}

# API value -> シーズの種類
RESOURCE_TYPES: dict[str, str] = {
    "volunteers": "ボランティア・人手の派遣",
    "pro_bono": "専門スキル（法律・会計・IT・広報・デザイン）",
    "funding": "資金（寄付・助成金・協賛金）",
    "goods": "物資・機材・自社商品の提供",
    "venue": "活動場所・施設の提供",
    "knowledge": "専門的知見・研究成果・学習プログラム",
    "publicity": "広報・周知",
    "network": "地域情報・ネットワーク・関係づくり",
    "event_cohosting": "イベント等の共同開催",
    "service_delivery": "事業の実施（取組の主要部分の担い手）",
}

# API value -> 協働の形態
COLLABORATION_FORMS: dict[str, str] = {
    "commission": "委託",
    "co_hosting": "共催・実行委員会",
    "partnership": "事業協力・連携",
    "subsidy": "補助・助成",
    "endorsement": "後援",
    "dialogue": "意見交換・政策提言",
    "co_creation": "共創",
    "network": "ネットワーク",
}

OrganizationKind = StrEnum(  # type: ignore[misc]
    "OrganizationKind", {kind: kind for kind in KIND_SECTORS}
)
OrganizationKind.__doc__ = "団体の種別: " + ", ".join(
    f"`{k}` {label}" for k, (label, _) in KIND_SECTORS.items()
)
ActivityField = StrEnum(  # type: ignore[misc]
    "ActivityField", {field: field for field in ACTIVITY_FIELDS}
)
ActivityField.__doc__ = "特定非営利活動の20分野 (NPO Act activity fields)."
ResourceType = StrEnum(  # type: ignore[misc]
    "ResourceType", {value: value for value in RESOURCE_TYPES}
)
ResourceType.__doc__ = "シーズの種類: what an organisation can offer."

CollaborationForm = StrEnum(  # type: ignore[misc]
    "CollaborationForm", {value: value for value in COLLABORATION_FORMS}
)
CollaborationForm.__doc__ = "協働の形態: the forms a collaboration can take."


def sector_of(kind: str) -> Sector:
    """The sector an organisation kind belongs to."""
    return KIND_SECTORS[kind][1]
