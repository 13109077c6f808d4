"""Local issues (地域課題) of the demo city, posted by its organisations.

Each issue names the kind of organisation that posts it; the loader picks the
first demo organisation of that kind (the city hall for government-proposed
ones), so the same demo data always gives the same issues.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kyodo.demo.city import DemoOrganization

__all__ = ["DEMO_ISSUES", "DemoIssue", "demo_issues"]

CITY = "102997"


@dataclass(frozen=True)
class DemoIssue:
    """An issue body without its organisation, and the kind of organisation posting it."""

    poster_kind: str
    body: dict[str, Any]

    def payload(self, organization_id: str) -> dict[str, Any]:
        return {"organization_id": organization_id, **self.body}


def _issue(poster: str, origin: str, title: str, description: str, **rest: Any) -> DemoIssue:
    body = {
        "title": title,
        "description": description,
        "municipality_code": CITY,
        "origin": origin,
        **rest,
    }
    return DemoIssue(poster, body)


GOV, CIT = "government_proposed", "citizen_proposed"
DEMO_ISSUES: list[DemoIssue] = [
    _issue(
        "volunteer_group",
        CIT,
        "こども食堂の食材と調理の担い手を探しています",
        "毎週土曜に本町でこども食堂を開いています。利用する子どもが増え、食材（米・野菜）、"
        "調理と配膳の手伝い、広い調理室、運営資金が足りません。",
        fields=["child_development", "health_welfare"],
        needed_resource_types=["goods", "volunteers", "venue", "funding"],
        resource_notes=[{"type": "goods", "note": "米・野菜・調味料", "quantity": "月60食分"}],
        collaboration_forms=["partnership", "subsidy"],
        starts_on="2027-01-01",
        ends_on="2027-12-31",
    ),
    _issue(
        "government",
        GOV,
        "高齢者の買い物支援（移動販売・送迎）の協働パートナー募集",
        "山間部の地区では商店が閉じ、車を手放したお年寄りが買い物に困っています。"
        "移動販売や送迎、見守りを一緒に担う事業者・団体を募集します。",
        fields=["health_welfare", "rural_development"],
        needed_resource_types=["service_delivery", "volunteers", "goods"],
        collaboration_forms=["commission", "partnership"],
        starts_on="2027-04-01",
        ends_on="2028-03-31",
    ),
    _issue(
        "government",
        GOV,
        "空き家を活用した地域の居場所づくり",
        "中心市街地の空き家を改修し、子どもから高齢者まで誰でも立ち寄れる居場所として"
        "運営する団体と、改修の専門知識、広報の協力を求めています。",
        fields=["community_development"],
        needed_resource_types=["service_delivery", "knowledge", "publicity"],
        collaboration_forms=["co_creation", "commission"],
        starts_on="2027-04-01",
    ),
    _issue(
        "npo_corporation",
        CIT,
        "外国人住民のための日本語教室のボランティアと会場",
        "市内で働く外国人住民が増えています。週2回の夜間日本語教室を開くため、"
        "教える人と会場、やさしい日本語での広報が必要です。",
        fields=["international_cooperation", "social_education"],
        needed_resource_types=["volunteers", "venue", "publicity"],
        collaboration_forms=["partnership", "co_hosting"],
    ),
    _issue(
        "neighbourhood_association",
        CIT,
        "地区の防災訓練を大学・企業と一緒に",
        "毎年の防災訓練の参加者が減っています。避難所運営の知見、学生や社員の参加、"
        "炊き出しの物資で、若い世代も参加する訓練にしたいです。",
        fields=["disaster_relief", "community_safety"],
        needed_resource_types=["knowledge", "volunteers", "goods"],
        collaboration_forms=["co_hosting"],
        starts_on="2027-08-01",
        ends_on="2027-09-30",
    ),
    _issue(
        "volunteer_group",
        CIT,
        "桜川の河川清掃に参加する人と道具",
        "春と秋の河川清掃に、ごみ袋・トング・軍手などの道具と、参加者を募っています。",
        fields=["environment"],
        needed_resource_types=["volunteers", "goods", "publicity"],
        collaboration_forms=["co_hosting", "endorsement"],
        starts_on="2027-03-01",
        ends_on="2027-11-30",
    ),
    _issue(
        "social_welfare_council",
        CIT,
        "障害のある人の就労体験の受け入れ先",
        "就労継続支援事業所の利用者が、地域の企業や商店で働く体験をする受け入れ先と、"
        "職場での支援の知見を求めています。",
        fields=["health_welfare", "employment_support"],
        needed_resource_types=["service_delivery", "knowledge"],
        collaboration_forms=["partnership"],
    ),
    _issue(
        "government",
        GOV,
        "中心商店街のにぎわい創出イベントの共催",
        "空き店舗が増えた本町商店街で、学生や市民団体と月1回のマルシェを共催し、"
        "出店者、企画、広報を担うパートナーを募集します。",
        fields=["economic_revitalization", "community_development"],
        needed_resource_types=["event_cohosting", "publicity", "volunteers"],
        collaboration_forms=["co_hosting"],
        starts_on="2027-05-01",
        ends_on="2028-03-31",
    ),
    _issue(
        "npo_corporation",
        CIT,
        "不登校の子どもの居場所と学習支援",
        "学校に通いづらい子どもが日中に過ごせる居場所を開きたい。"
        "学習支援ができる大学生と、平日昼に使える部屋を探しています。",
        fields=["child_development", "social_education"],
        needed_resource_types=["volunteers", "venue", "funding"],
        collaboration_forms=["partnership", "subsidy"],
    ),
    _issue(
        "government",
        GOV,
        "子ども向けプログラミング教室の講師と機材",
        "小中学生向けの無料プログラミング教室を開くため、講師を務める企業・大学と、"
        "ノートパソコンなどの機材の提供を募集します。",
        fields=["information_society", "child_development"],
        needed_resource_types=["pro_bono", "goods", "knowledge"],
        collaboration_forms=["commission", "partnership"],
        starts_on="2027-06-01",
        ends_on="2027-12-31",
    ),
    _issue(
        "volunteer_group",
        CIT,
        "一人暮らし高齢者の見守り訪問",
        "一人暮らしのお年寄りを週1回訪ねて話し相手になる活動の担い手と、"
        "民生委員・地域包括支援センターとのつながりを求めています。",
        fields=["health_welfare"],
        needed_resource_types=["volunteers", "network"],
        collaboration_forms=["network", "partnership"],
    ),
    _issue(
        "government",
        GOV,
        "耕作放棄地を使った農業体験と担い手づくり",
        "中山間地域の耕作放棄地で、親子の農業体験と新規就農の入口をつくる事業の"
        "運営団体、農業の専門知識、資金面の協力を求めます。",
        fields=["rural_development", "environment"],
        needed_resource_types=["service_delivery", "knowledge", "funding"],
        collaboration_forms=["commission", "subsidy"],
        starts_on="2027-04-01",
        ends_on="2028-03-31",
    ),
    _issue(
        "intermediary",
        CIT,
        "市民活動団体の会計・広報の専門家相談",
        "小さな市民活動団体の会計処理やホームページ、チラシづくりを手伝う"
        "プロボノの専門家を探しています。",
        fields=["civil_society_support"],
        needed_resource_types=["pro_bono"],
        collaboration_forms=["partnership"],
    ),
    _issue(
        "npo_corporation",
        CIT,
        "子育てサロンの会場と読み聞かせボランティア",
        "乳幼児と保護者が集まる子育てサロンを月2回開いています。"
        "会場と、絵本の読み聞かせや保育のボランティアを募集します。",
        fields=["child_development"],
        needed_resource_types=["venue", "volunteers"],
        collaboration_forms=["partnership"],
        status="draft",
    ),
]


def demo_issues(organizations: list[DemoOrganization]) -> list[tuple[str, DemoIssue]]:
    """(poster's name, issue) for every demo issue whose kind of poster the city has."""
    first_of_kind: dict[str, str] = {}
    for org in organizations:
        first_of_kind.setdefault(str(org.payload["kind"]), org.name)
    return [
        (first_of_kind[issue.poster_kind], issue)
        for issue in DEMO_ISSUES
        if issue.poster_kind in first_of_kind
    ]
