"""A season of events and volunteer calls in 桜ヶ丘市 (2026-12 to 2027-03).

``demo_season`` turns the demo organisations into about sixty events of every
kind (co-hosted 共催, recurring with 年末年始 breaks, online or hybrid, free or
not, a few cancelled or postponed) and about thirty volunteer opportunities
with shifts, a handful of sign-ups and the city's points rule, as the exact
JSON bodies of the events service. Organisers are referred to by name; the
loader maps names to the ids it has just listed or created. The same
organisations and seed give the same season.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, NamedTuple

from dateutil import rrule as du_rrule

from kyodo.demo.city import DemoOrganization, demo_organizations
from kyodo.demo.names import CITY_CODE

__all__ = [
    "POINTS_RULE",
    "SEASON_END",
    "SEASON_START",
    "DemoSeason",
    "SeasonEvent",
    "SeasonOpportunity",
    "SeasonShift",
    "demo_season",
    "occurrence_starts",
]

SEASON_START = date(2026, 12, 1)
SEASON_END = date(2027, 3, 31)
POINTS_RULE: dict[str, Any] = {"points_per_hour": 1.0, "minimum_hours": 1.0}
JST = timezone(timedelta(hours=9))
_CITY_MAIL = "shiminkyodo@city.sakuragaoka.example.jp"
_ONLINE = "https://meet.sakuragaoka.example.jp/"


def _at(day: str, hm: str) -> datetime:
    """A time in Japan (fixed +09:00, as the API speaks it)."""
    hour, minute = (int(part) for part in hm.split(":"))
    return datetime.combine(date.fromisoformat(day), time(hour, minute), JST)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


# --- who organises: roles matched against the demo organisations ---------------------


class Role(NamedTuple):
    kinds: tuple[str, ...]
    fields: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()


_CIVIC = ("npo_corporation", "volunteer_group")
ROLES: dict[str, Role] = {
    "city": Role(("government",), ("civil_society_support",), ("市民協働",)),
    "city_intl": Role(("government",), ("international_cooperation",), ("多文化共生",)),
    "city_any": Role(("government",), ("community_development",), ("桜ヶ丘市",)),
    "council": Role(("social_welfare_council",), ("health_welfare",), ("社会福祉協議会",)),
    "volcenter": Role(
        ("social_welfare_council", "intermediary"), ("civil_society_support",), ("ボランティア",)
    ),
    "support": Role(("intermediary",), ("civil_society_support",), ("市民活動支援",)),
    "foodbank": Role(_CIVIC, ("child_development", "health_welfare"), ("フードバンク",)),
    "kodomo": Role(_CIVIC, ("child_development",), ("こども食堂", "子ども食堂", "子供食堂")),
    "kosodate": Role(
        (*_CIVIC, "social_welfare_council"), ("child_development",), ("子育て", "親子")
    ),
    "assoc": Role(("neighbourhood_association",), ("community_safety", "disaster_relief")),
    "assoc_east": Role(("neighbourhood_association",), ("community_development",), ("東町",)),
    "shops": Role(("general_incorporated", "company"), ("economic_revitalization",), ("商店街",)),
    "chamber": Role(("general_incorporated",), ("economic_revitalization",), ("商工会",)),
    "intl": Role(
        ("public_interest_corporation", *_CIVIC), ("international_cooperation",), ("国際交流",)
    ),
    "nihongo": Role(_CIVIC, ("international_cooperation",), ("にほんご", "日本語")),
    "tabunka": Role(_CIVIC, ("international_cooperation",), ("多文化",)),
    "river": Role(_CIVIC, ("environment",), ("川",)),
    "green": Role(_CIVIC, ("environment",), ("花", "緑")),
    "bosai": Role(_CIVIC, ("disaster_relief",), ("防災", "災害")),
    "elderly": Role(_CIVIC, ("health_welfare",), ("高齢者", "見守り", "シニア")),
    "exercise": Role(_CIVIC, ("health_welfare", "culture_arts_sports"), ("体操", "スポーツ")),
    "science": Role(_CIVIC, ("science_technology",), ("科学", "プログラミング")),
    "culture": Role(_CIVIC, ("culture_arts_sports",), ("芸能", "文化", "音楽")),
    "rights": Role(("npo_corporation",), ("human_rights_peace",), ("人権",)),
    "driving": Role(_CIVIC, ("health_welfare",), ("送迎", "買い物")),
    "reading": Role((*_CIVIC, "school"), ("social_education",), ("読み聞かせ", "図書")),
    "learning": Role(_CIVIC, ("child_development", "social_education"), ("学習",)),
    "university": Role(("university",), ("social_education",), ("大学",)),
    "school": Role(("school",), ("child_development",), ("高等学校",)),
    "energy": Role(("company",), ("environment", "disaster_relief"), ("ガス", "電力")),
    "bank": Role(("company",), ("economic_revitalization",), ("信用金庫", "銀行")),
    "coop": Role(("company",), ("health_welfare", "consumer_protection"), ("生活協同組合",)),
    "law": Role(("company",), ("consumer_protection", "human_rights_peace"), ("法律",)),
    "tax": Role(("company",), ("civil_society_support",), ("税理士", "会計")),
    "hotel": Role(("company",), ("tourism",), ("ホテル", "観光")),
    "company": Role(("company",), ("community_development",)),
}


class _Picker:
    """Chooses, per role, a fitting organisation (deterministic for the rng)."""

    def __init__(self, orgs: Sequence[DemoOrganization], rng: random.Random) -> None:
        self.orgs = [o.payload for o in orgs]
        self.rng = rng

    def _score(self, org: Mapping[str, Any], role: Role) -> int:
        hint = any(h in org["name"] for h in role.hints)
        overlap = len(set(org["fields"]) & set(role.fields))
        return 10 * hint + 3 * overlap + (org["municipality_code"] == CITY_CODE)

    def pick(self, role_name: str, exclude: set[str]) -> Mapping[str, Any]:
        role = ROLES[role_name]
        pool = [o for o in self.orgs if o["name"] not in exclude]
        fitting = [o for o in pool if o["kind"] in role.kinds] or pool or self.orgs
        best = max(self._score(o, role) for o in fitting)
        return self.rng.choice([o for o in fitting if self._score(o, role) == best])

    def hosts(self, roles: Sequence[str]) -> list[Mapping[str, Any]]:
        chosen: list[Mapping[str, Any]] = []
        for role in roles:
            org = self.pick(role, {o["name"] for o in chosen})
            if org["name"] not in {o["name"] for o in chosen}:
                chosen.append(org)
        return chosen


# --- where: venues in 桜ヶ丘市 --------------------------------------------------------


class Place(NamedTuple):
    name: str
    address: str
    postal: str
    lat: float
    lon: float
    access: str = "車椅子で入場できます。多目的トイレがあります。"


VENUES: dict[str, Place] = {
    "center_a": Place("桜ヶ丘市民活動センター 会議室A", "群馬県桜ヶ丘市本町一丁目2番3号",
                      "370-3601", 36.3507, 139.0494),
    "center_hall": Place("桜ヶ丘市民活動センター 多目的ホール", "群馬県桜ヶ丘市本町一丁目2番3号",
                         "370-3601", 36.3507, 139.0494),
    "city_hall": Place("桜ヶ丘市役所 本庁舎3階 大会議室", "群馬県桜ヶ丘市中央一丁目1番1号",
                       "370-3690", 36.3521, 139.0462),
    "city_lobby": Place("桜ヶ丘市役所 1階 市民ロビー", "群馬県桜ヶ丘市中央一丁目1番1号",
                        "370-3690", 36.3521, 139.0462),
    "bunka": Place("桜ヶ丘市文化会館 小ホール", "群馬県桜ヶ丘市中央二丁目5番1号", "370-3603",
                   36.3534, 139.0451, "車椅子席が4席あります。磁気ループを設置しています。"),
    "east_kominkan": Place("東町公民館 調理室", "群馬県桜ヶ丘市東町三丁目4番12号", "370-3604",
                           36.3516, 139.0611, "入口に段差があります（スロープあり）。"),
    "west_cc": Place("西町コミュニティセンター", "群馬県桜ヶ丘市西町一丁目8番2号", "370-3605",
                     36.3501, 139.0386),
    "sakuradai": Place("桜台ふれあい会館", "群馬県桜ヶ丘市桜台二丁目10番5号", "370-3614",
                       36.3638, 139.0547, "1階のみの会場です。ベビーカーのまま入れます。"),
    "gym": Place("桜ヶ丘市総合体育館 サブアリーナ", "群馬県桜ヶ丘市緑町一丁目1番1号",
                 "370-3611", 36.3559, 139.0618),
    "park": Place("桜ヶ丘中央公園 芝生広場", "群馬県桜ヶ丘市中央三丁目7番", "370-3603",
                  36.3542, 139.0476, "園路は舗装されています。屋外のため防寒対策を。"),
    "station": Place("桜ヶ丘駅前広場", "群馬県桜ヶ丘市駅前一丁目1番", "370-3602", 36.3478,
                     139.0531, "屋外の会場です。"),
    "shotengai": Place("桜ヶ丘駅前商店街（さくら通り）", "群馬県桜ヶ丘市駅前二丁目",
                       "370-3602", 36.3484, 139.0522, "歩行者天国になります。"),
    "riverbank": Place("岩下川河川敷（岩下橋たもと集合）", "群馬県桜ヶ丘市岩下1250番地先",
                       "370-3625", 36.3809, 139.0451, "足元が悪い場所があります。"),
    "university": Place("上毛学園大学 桜ヶ丘キャンパス 3号館", "群馬県桜ヶ丘市若葉町二丁目1番1号",
                        "370-3612", 36.3397, 139.0428),
    "welfare": Place("桜ヶ丘市福祉会館 ボランティアルーム", "群馬県桜ヶ丘市南町一丁目3番8号",
                     "370-3606", 36.3424, 139.0509),
    "library": Place("桜ヶ丘市立図書館 おはなしの部屋", "群馬県桜ヶ丘市北町一丁目5番10号",
                     "370-3607", 36.3590, 139.0486),
    "aobadai": Place("青葉台集会所", "群馬県桜ヶ丘市青葉台二丁目3番1号", "370-3615", 36.3323,
                     139.0598, "2階の会場です（エレベーターなし）。"),
    "fire": Place("桜ヶ丘市消防本部 防災研修室", "群馬県桜ヶ丘市栄町一丁目6番1号", "370-3608",
                  36.3465, 139.0566),
}  # fmt: skip


def _venue(key: str) -> dict[str, Any]:
    place = VENUES[key]
    return {
        "name": place.name,
        "address": place.address,
        "postal_code": place.postal,
        "municipality_code": CITY_CODE,
        "latitude": place.lat,
        "longitude": place.lon,
    }


# --- what: the events ----------------------------------------------------------------


class Ev(NamedTuple):
    """An event template: times as (day, "HH:MM", "HH:MM") in Japan time."""

    key: str
    title: str
    kind: str
    day: str
    start: str
    end: str
    hosts: tuple[str, ...]
    place: str | None  # a VENUES key, or None for online only
    fields: tuple[str, ...]
    description: str
    audience: str = ""
    fee: int | None = 0
    fee_note: str = ""
    capacity: int | None = None
    online: bool = False
    rrule: str | None = None
    cancelled: tuple[str, ...] = ()  # days of occurrences called off
    status: str = "published"
    all_day_until: str | None = None  # the last day of an all-day event


_SAT_KODOMO = "FREQ=WEEKLY;BYDAY=SA;UNTIL=20270327"
EVENTS: tuple[Ev, ...] = (
    # recurring series
    Ev("kodomo", "こども食堂「さくらキッチン」", "volunteer_activity", "2026-12-05", "11:30",
       "14:00", ("kodomo", "assoc_east"), "east_kominkan", ("child_development", "health_welfare"),
       "毎週土曜のお昼に、地域の子どもたちと温かいごはんを囲みます。食材はフードバンクと地元農家の"
       "寄付です。年末年始（1月2日）はお休みします。", "子どもと保護者、地域の方どなたでも",
       0, "高校生以下無料。大人の方は300円のカンパをお願いしています。", 40,
       rrule=_SAT_KODOMO, cancelled=("2027-01-02",)),
    Ev("salon", "子育てサロン「ひだまり」", "other", "2026-12-09", "10:00", "11:30",
       ("kosodate", "council"), "sakuradai", ("child_development",),
       "毎月第2水曜日に開く、0〜3歳の子どもと保護者のためのサロンです。保健師による育児相談の"
       "日もあります。予約不要、出入り自由です。", "0〜3歳の子どもと保護者", 0, "", 20,
       rrule="FREQ=MONTHLY;BYDAY=2WE;COUNT=4"),
    Ev("cleanup", "岩下川クリーン作戦（隔週日曜の清掃活動）", "volunteer_activity", "2026-12-06",
       "08:00", "09:30", ("river", "energy"), "riverbank", ("environment",),
       "2週間に一度、岩下川の河川敷でごみ拾いをします。軍手とごみ袋は用意します。1月3日は"
       "年始のためお休みです。", "どなたでも（小学生以下は保護者と一緒に）", 0,
       rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=SU;UNTIL=20270328", cancelled=("2027-01-03",)),
    Ev("nihongo", "にほんご教室（火曜夜クラス）", "other", "2026-12-01", "19:00", "20:30",
       ("nihongo", "intl"), "center_a", ("international_cooperation",),
       "外国にルーツのある方のための日本語教室です。やさしい日本語で、生活に必要な会話や読み書き"
       "を学びます。12月29日は休講です。", "日本語を学びたい外国人住民", 0, "教材費のみ実費", 25,
       rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=16", cancelled=("2026-12-29",)),
    Ev("taiso", "さくらいきいき体操（毎週木曜・オンライン同時配信）", "other", "2026-12-03",
       "10:00", "11:00", ("exercise", "council"), "west_cc", ("health_welfare",),
       "椅子に座ってできる介護予防体操です。会場に来られない方は自宅からオンラインで参加できます。"
       "12月31日はお休みです。", "60歳以上の方", 0, online=True,
       rrule="FREQ=WEEKLY;BYDAY=TH", cancelled=("2026-12-31",)),
    Ev("soudan", "NPO・市民活動なんでも相談会（オンライン）", "other", "2026-12-07", "19:00",
       "21:00", ("support",), None, ("civil_society_support",),
       "団体の立ち上げ、会計、助成金、広報など、市民活動の困りごとに相談員がオンラインでお答え"
       "します。1月4日は年始のため休みます。", "市民活動団体・NPOの方", 0, "", 6, online=True,
       rrule="FREQ=MONTHLY;BYDAY=1MO;UNTIL=20270331", cancelled=("2027-01-04",)),
    Ev("keicho", "傾聴ボランティア養成講座（全3回）", "training", "2027-02-05", "13:30", "15:30",
       ("council", "elderly"), "welfare", ("health_welfare",),
       "高齢者の話し相手となる傾聴ボランティアの養成講座です。3回連続で受講してください。",
       "ボランティアに関心のある方", 1500, "全3回分の資料代", 24,
       rrule="FREQ=WEEKLY;BYDAY=FR;COUNT=3"),
    # seminars
    Ev("npo_tax", "NPOの会計・税務入門セミナー", "seminar", "2026-12-12", "13:30", "16:00",
       ("support", "tax"), "center_hall", ("civil_society_support",),
       "はじめて会計を担当する方向けに、NPO法人会計基準と年末の事務を税理士が解説します。",
       "NPO・市民活動団体の会計担当者", 0, "", 40, online=True),
    Ev("grant", "はじめての助成金申請講座", "seminar", "2027-01-23", "10:00", "12:00",
       ("support",), "center_a", ("civil_society_support",),
       "助成金の探し方から申請書の書き方まで、採択された申請書の例を使って学びます。",
       "市民活動団体の方", 0, "", 30),
    Ev("akiya", "空き家の活用を考えるセミナー", "seminar", "2027-02-06", "14:00", "16:00",
       ("city_any", "law"), "city_hall", ("community_development",),
       "空き家の管理・相続の基礎と、地域の居場所として活用した事例を紹介します。", "市民", 0, "",
       60),
    Ev("sns", "SNS広報セミナー〜伝わる発信のコツ〜", "seminar", "2027-01-20", "19:00", "20:30",
       ("support", "company"), None, ("civil_society_support", "information_society"),
       "団体の活動をSNSで伝えるための写真の撮り方、文章、投稿計画をオンラインで学びます。",
       "市民活動団体の広報担当者", 500, "資料代（オンライン決済）", 100, online=True),
    Ev("yasashii", "多文化共生セミナー：やさしい日本語で伝える", "seminar", "2027-02-20",
       "13:30", "15:30", ("city_intl", "intl"), "center_hall", ("international_cooperation",),
       "外国人住民に伝わる「やさしい日本語」の書き換えを、窓口や回覧板の例で練習します。",
       "自治会・窓口担当者・市民", 0, "", 50),
    Ev("poverty", "子どもの貧困を考える講演会", "seminar", "2027-03-06", "13:30", "15:30",
       ("foodbank", "council"), "bunka", ("child_development", "health_welfare"),
       "子どもの貧困の現状と、地域でできる支援について、研究者と現場の方がお話しします。",
       "どなたでも", 0, "", 200),
    Ev("bosai_sem", "地域防災セミナー：冬の災害に備える", "seminar", "2026-12-16", "18:30",
       "20:00", ("bosai", "assoc"), "west_cc", ("disaster_relief", "community_safety"),
       "大雪や停電、冬の地震に備える家庭の備蓄と、避難所での寒さ対策を学びます。", "市民", 0, "",
       60),
    Ev("consumer", "消費者トラブル防止講座（悪質商法の手口と対策）", "seminar", "2027-01-28",
       "14:00", "15:30", ("law", "coop"), "aobadai", ("consumer_protection",),
       "点検商法や還付金詐欺など、高齢者を狙う手口と断り方を弁護士が解説します。",
       "高齢者とその家族", 0, "", 40, status="postponed"),
    Ev("smartphone", "シニアのためのスマホ相談会", "seminar", "2027-01-21", "13:30", "15:30",
       ("bank", "assoc"), "aobadai", ("information_society", "health_welfare"),
       "LINEの使い方、写真の送り方、詐欺メールの見分け方など、スマホの困りごとに個別に"
       "お答えします。", "60歳以上の方", 0, "", 20),
    # roundtables 円卓会議
    Ev("rt_ibasho", "桜ヶ丘円卓会議：こどもの居場所づくり", "roundtable", "2026-12-17", "18:30",
       "20:30", ("support", "city", "kodomo"), "center_hall", ("child_development",),
       "こども食堂、学校、行政、企業が同じテーブルにつき、居場所づくりの課題と役割分担を話し"
       "合います。傍聴も歓迎します。", "関係団体・市民", 0, "", 40),
    Ev("rt_akiya", "円卓会議：空き家と地域の担い手", "roundtable", "2027-01-29", "18:30",
       "20:30", ("support", "assoc", "chamber"), "center_a", ("community_development",),
       "空き家を地域の拠点として使うために、所有者、自治会、事業者が何をできるか話し合います。",
       "関係団体・市民", 0, "", 30),
    Ev("rt_tabunka", "円卓会議：多文化共生のまちづくり", "roundtable", "2027-02-25", "18:30",
       "20:30", ("tabunka", "city_intl", "intl"), "center_a", ("international_cooperation",),
       "外国人住民、自治会、支援団体が、ごみ出し・防災・子育ての情報をどう届けるか話し合い"
       "ます。", "関係団体・外国人住民", 0, "通訳あり", 30, online=True),
    Ev("rt_company", "企業×NPO 円卓会議〜地域課題を一緒に解く〜", "roundtable", "2027-03-11",
       "15:00", "17:00", ("chamber", "support"), "center_hall", ("economic_revitalization",),
       "企業の社会貢献担当者とNPOが、人材・物資・資金で協働できることを具体的に話し合います。",
       "企業・NPO", 0, "", 40, online=True),
    Ev("rt_youth", "高校生と語る円卓会議：若者の声をまちに", "roundtable", "2027-03-20",
       "13:00", "15:00", ("school", "city"), "center_hall", ("child_development",),
       "高校生が調べた地域の課題を発表し、市や地域団体と一緒に解決策を考えます。",
       "高校生・市民", 0, "", 50),
    # collaboration meetings 協働の会議
    Ev("teian", "協働事業提案制度 説明会", "collaboration_meeting", "2026-12-10", "14:00",
       "15:30", ("city",), "city_hall", ("civil_society_support",),
       "令和9年度の協働事業提案制度の募集内容と、提案から採択までの流れを説明します。",
       "市民活動団体・NPO・企業", 0, "", 50, online=True),
    Ev("fukushi_net", "地域福祉ネットワーク会議（南部地区）", "collaboration_meeting",
       "2027-01-14", "13:30", "15:30", ("council", "elderly"), "welfare", ("health_welfare",),
       "民生委員、自治会、介護事業者、ボランティア団体が、見守りが必要な世帯の支え方を共有し"
       "ます。", "関係者", 0, "", 30),
    Ev("bosai_kyotei", "災害時協力協定 連絡会議（自治会・企業）", "collaboration_meeting",
       "2027-02-04", "18:30", "20:00", ("assoc", "energy", "bosai"), "west_cc",
       ("disaster_relief",),
       "災害時の物資提供や避難場所の協定を結ぶ自治会と企業が、連絡体制を確認します。", "協定団体",
       0, "", 30),
    Ev("foodbank_net", "フードバンク連携会議", "collaboration_meeting", "2027-01-19", "15:00",
       "16:30", ("foodbank", "coop", "council"), None, ("health_welfare",),
       "食品を寄付する事業者と受け取る団体が、冬の需要と配送の分担をオンラインで調整します。",
       "関係団体", 0, "", 20, online=True),
    Ev("univ_report", "大学×地域 連携プロジェクト報告会", "collaboration_meeting", "2027-02-17",
       "16:00", "18:00", ("university", "city_any"), "university",
       ("social_education", "community_development"),
       "学生が地域団体と取り組んだ1年間のプロジェクトを報告し、来年度の連携先を募ります。",
       "地域団体・市民", 0, "", 80),
    Ev("chukan", "協働事業 中間報告会", "collaboration_meeting", "2027-03-17", "14:00", "16:00",
       ("city", "support"), "city_hall", ("civil_society_support",),
       "今年度の協働事業の進み具合を報告します。会場の都合により日程を変更します（新しい日程は"
       "決まりしだいお知らせします）。", "市民", 0, "", 50, status="postponed"),
    # volunteer activities
    Ev("saimatsu", "歳末たすけあい募金 街頭活動", "volunteer_activity", "2026-12-05", "10:00",
       "12:00", ("council", "school"), "station", ("health_welfare",),
       "駅前で歳末たすけあい募金を呼びかけます。集まった募金は市内の福祉活動に使われます。",
       "中学生以上", 0, "", 20),
    Ev("fooddrive", "フードドライブ in 桜ヶ丘駅前", "volunteer_activity", "2026-12-19", "10:00",
       "16:00", ("foodbank", "shops"), "shotengai", ("health_welfare", "child_development"),
       "ご家庭で余っている食品を持ち寄ってください。賞味期限が2か月以上ある未開封の食品を受け付け"
       "ます。", "どなたでも", 0),
    Ev("yukikaki", "雪かきボランティア（高齢者世帯）", "volunteer_activity", "2027-01-16",
       "08:00", "11:00", ("council", "assoc"), "welfare", ("health_welfare", "disaster_relief"),
       "雪かきが難しい高齢者世帯の玄関先と通路の除雪をします。降雪がない場合は中止します。",
       "16歳以上", 0, "", 20),
    Ev("patrol", "冬の夜間パトロール（火の用心）", "volunteer_activity", "2026-12-28", "19:00",
       "20:30", ("assoc",), "west_cc", ("community_safety",),
       "拍子木を鳴らして町内を回り、火の用心を呼びかけます。終了後に豚汁をふるまいます。",
       "町内の方", 0, "", 30),
    Ev("ochiba", "中央公園の落ち葉清掃と花壇の植え替え", "volunteer_activity", "2026-12-13",
       "09:00", "11:30", ("green", "city_any"), "park", ("environment",),
       "落ち葉を集めて堆肥にし、花壇にパンジーとビオラを植えます。", "どなたでも", 0),
    Ev("osouji", "高齢者宅の大掃除お手伝い", "volunteer_activity", "2026-12-20", "09:00",
       "12:00", ("council", "school"), "welfare", ("health_welfare",),
       "高校生と地域のボランティアが、ひとり暮らしの高齢者宅の窓ふきや換気扇の掃除を手伝います。",
       "15歳以上", 0, "", 16),
    Ev("hina_setup", "ひなまつりイベント 会場設営ボランティア", "volunteer_activity",
       "2027-02-26", "17:30", "20:00", ("shops",), "shotengai", ("economic_revitalization",),
       "商店街のひな飾りと案内看板を設置します。仕事帰りの方も歓迎します。", "16歳以上", 0, "",
       15),
    # festivals
    Ev("illumination", "桜ヶ丘 冬のイルミネーション点灯式", "festival", "2026-12-04", "17:30",
       "19:00", ("shops", "hotel"), "station", ("economic_revitalization", "tourism"),
       "駅前のイルミネーションの点灯式です。高校吹奏楽部の演奏と温かい飲み物の販売があります。",
       "どなたでも", 0),
    Ev("marche", "駅前クリスマスマルシェ", "festival", "2026-12-19", "00:00", "00:00",
       ("shops", "chamber"), "shotengai", ("economic_revitalization",),
       "地元の農産物、雑貨、福祉事業所の焼き菓子が並ぶ2日間のマルシェです。", "どなたでも", 0,
       all_day_until="2026-12-20"),
    Ev("mochitsuki", "新春もちつき大会", "festival", "2027-01-10", "10:00", "13:00",
       ("assoc", "school"), "park", ("community_development",),
       "杵と臼でもちをつき、きなこ餅と雑煮をふるまいます。", "どなたでも", 100,
       "お餅代（中学生以下無料）", 150),
    Ev("dondo", "どんど焼き", "festival", "2027-01-11", "09:00", "11:00", ("assoc",),
       "riverbank", ("culture_arts_sports", "community_development"),
       "正月飾りやだるまを持ち寄って焚き上げます。強風のため今年は中止します。", "どなたでも", 0,
       status="cancelled"),
    Ev("tabunka_fes", "多文化交流フェスタ2027", "festival", "2027-02-14", "11:00", "16:00",
       ("intl", "tabunka", "city_intl"), "center_hall", ("international_cooperation",),
       "世界の料理、民族衣装の試着、母語での読み聞かせなど、市内に暮らす外国人住民と交流する"
       "お祭りです。", "どなたでも", 0, "料理は1品200円"),
    Ev("hina_rally", "桜ヶ丘ひなまつり 商店街スタンプラリー", "festival", "2027-02-27", "00:00",
       "00:00", ("shops",), "shotengai", ("economic_revitalization", "tourism"),
       "商店街のひな飾りをめぐるスタンプラリーです。スタンプを集めると景品があります。",
       "どなたでも", 0, all_day_until="2027-03-03"),
    Ev("shimin_fes", "市民活動フェスティバル2027", "festival", "2027-03-13", "10:00", "15:00",
       ("support", "city", "council"), "bunka", ("civil_society_support",),
       "市内の市民活動団体がブース出展やステージ発表で活動を紹介します。ボランティア体験コーナー"
       "もあります。", "どなたでも", 0),
    Ev("flea", "リユース推進フリーマーケット", "festival", "2027-03-21", "09:30", "14:00",
       ("green", "assoc"), "park", ("environment",),
       "まだ使えるものを次の人へ。出店は事前申込制（1区画500円）です。", "どなたでも", 0,
       "出店料1区画500円（見学・購入は無料）"),
    # training 研修・講習
    Ev("kyumei", "普通救命講習会（AED・心肺蘇生）", "training", "2027-01-24", "09:00", "12:00",
       ("city_any", "council"), "fire", ("community_safety", "health_welfare"),
       "心肺蘇生とAEDの使い方を実習で学びます。修了者には修了証を交付します。", "中学生以上",
       0, "", 30),
    Ev("vc_kunren", "災害ボランティアセンター 設置運営訓練", "training", "2027-02-07", "09:00",
       "15:00", ("council", "bosai"), "gym", ("disaster_relief",),
       "大規模災害を想定し、ボランティアの受付からマッチング、送り出しまでを訓練します。",
       "18歳以上", 0, "", 60),
    Ev("ninchisho", "認知症サポーター養成講座", "training", "2026-12-08", "14:00", "15:30",
       ("council", "elderly"), "sakuradai", ("health_welfare",),
       "認知症の基礎知識と、地域での声のかけ方を学びます。受講者にはオレンジリングを"
       "お渡しします。", "どなたでも", 0, "", 40),
    Ev("coordinator", "ボランティアコーディネーター研修（初級）", "training", "2027-01-30",
       "10:00", "16:00", ("support", "volcenter"), "center_a", ("civil_society_support",),
       "ボランティアの募集、受け入れ、ふりかえりの方法を演習で学びます。", "団体のスタッフ",
       1000, "昼食は各自", 24, online=True),
    Ev("eisei", "こども食堂 衛生管理研修", "training", "2026-12-02", "19:00", "20:30",
       ("kodomo", "council"), None, ("child_development", "health_welfare"),
       "冬の食中毒（ノロウイルス）対策と、アレルギー対応の基本をオンラインで学びます。",
       "こども食堂のスタッフ・ボランティア", 0, "", 50, online=True),
    Ev("mentor", "プログラミング教室 指導ボランティア養成講座", "training", "2027-02-13",
       "13:00", "16:00", ("science", "university"), "university",
       ("science_technology", "child_development"),
       "小学生にScratchを教えるボランティアのための講座です。パソコンは貸し出します。",
       "高校生以上", 0, "", 20),
    Ev("hinan", "避難所運営ゲーム（HUG）体験会", "training", "2027-03-07", "13:30", "16:30",
       ("bosai", "assoc"), "west_cc", ("disaster_relief", "community_safety"),
       "避難所に次々とやってくる人や出来事にどう対応するか、カードゲームで体験します。",
       "自治会・自主防災組織の方", 0, "", 36),
    # other
    Ev("photo", "ボランティア活動 写真展", "other", "2027-03-01", "00:00", "00:00",
       ("volcenter", "city"), "city_lobby", ("civil_society_support",),
       "市内のボランティア活動の一年を写真で紹介します。開庁時間中はいつでもご覧いただけます。",
       "どなたでも", 0, all_day_until="2027-03-05"),
    Ev("cooking", "親子でつくる防災クッキング", "other", "2027-01-17", "10:00", "12:30",
       ("bosai", "kosodate"), "east_kominkan", ("disaster_relief", "child_development"),
       "ポリ袋とカセットコンロでできる非常食を親子でつくります。", "小学生と保護者", 500,
       "材料費（1組）", 12),
    Ev("igo", "多世代 囲碁・将棋交流会", "other", "2027-02-11", "13:00", "16:00",
       ("elderly", "assoc"), "sakuradai", ("culture_arts_sports", "health_welfare"),
       "子どもから高齢者まで、囲碁と将棋で交流します。初心者向けの教室もあります。",
       "どなたでも", 0),
    Ev("gakushu", "大学生による学習支援教室 体験日", "other", "2027-02-24", "17:00", "19:00",
       ("learning", "university"), "center_a", ("child_development", "social_education"),
       "大学生が中学生の宿題や受験勉強をサポートする教室の体験日です。", "中学生", 0, "", 15),
    Ev("hoshizora", "冬の星空観察会", "other", "2027-01-22", "19:00", "20:30",
       ("science",), "park", ("science_technology", "child_development"),
       "望遠鏡でオリオン大星雲や木星を観察します。天候不良の予報のため中止しました。",
       "小学生以上（小学生は保護者同伴）", 0, "", 40, status="cancelled"),
    Ev("yomikikase", "図書館おはなし会スペシャル（冬）", "other", "2026-12-26", "10:30",
       "11:30", ("reading",), "library", ("child_development", "social_education"),
       "絵本の読み聞かせと紙芝居、手遊びを楽しみます。", "3歳〜小学校低学年と保護者", 0, "",
       30),
    Ev("hanami", "桜ヶ丘 春の花見ウォーク", "other", "2027-03-28", "09:30", "12:00",
       ("exercise", "hotel"), "park", ("health_welfare", "tourism"),
       "市内の桜の名所をめぐる約5kmのウォーキングです（企画中のため内容は変わることがあります）。",
       "どなたでも", 300, "保険料", 80, status="draft"),
    Ev("tabunka_soudan", "外国人のための生活相談会（多言語・オンライン）", "other",
       "2027-02-03", "18:00", "20:00", ("tabunka", "city_intl"), None,
       ("international_cooperation", "human_rights_peace"),
       "ビザ、仕事、子どもの学校、税金などの相談に、通訳とともにオンラインでお答えします。",
       "外国人住民", 0, "英語・中国語・ベトナム語・ポルトガル語の通訳あり", 10, online=True),
    Ev("jinken", "人権パネル展とトークイベント", "other", "2026-12-04", "13:30", "15:00",
       ("rights", "city_any"), "city_lobby", ("human_rights_peace",),
       "人権週間にあわせ、パネル展示とインターネット上の人権侵害についてのトークを行います。",
       "どなたでも", 0),
)  # fmt: skip


# --- volunteer opportunities ------------------------------------------------------------


class Op(NamedTuple):
    """An opportunity template; shifts are (day, start, end, capacity) or follow the event."""

    title: str
    owner: str  # a role, or "event:<key>" for the event's first organiser
    description: str
    skills: tuple[str, ...]
    fields: tuple[str, ...]
    commitment: str
    minimum_age: int | None
    bring: str
    shifts: tuple[tuple[str, str, str, int], ...] = ()
    event: str | None = None
    follow: tuple[str, str, int, int] | None = None  # (start, end, capacity, how many)
    status: str = "open"
    deadline_days: int | None = None  # sign-ups close this many days before, at 17:00


OPPORTUNITIES: tuple[Op, ...] = (
    Op("こども食堂の調理・配膳ボランティア", "event:kodomo",
       "毎週土曜のこども食堂で、調理、配膳、片付けを手伝ってください。",
       ("調理", "子どもとの関わり"),
       ("child_development",), "ongoing", 15, "エプロン、三角巾、マスク",
       event="kodomo", follow=("10:30", "14:30", 6, 6)),
    Op("こども食堂の学習サポート（宿題みてね）", "event:kodomo",
       "食後の時間に、小学生の宿題や読書を見守ります。", ("学習支援",),
       ("child_development", "social_education"), "ongoing", 18, "筆記用具",
       event="kodomo", follow=("13:00", "15:00", 3, 4)),
    Op("岩下川クリーン作戦 参加者", "event:cleanup",
       "河川敷のごみ拾いです。ごみ袋と火ばさみは用意します。", (), ("environment",), "ongoing",
       None, "軍手、長靴、飲み物", event="cleanup", follow=("07:45", "09:30", 30, 5)),
    Op("子育てサロンの見守りスタッフ", "event:salon",
       "サロンで遊ぶ子どもたちの見守りと、お茶出しをお願いします。", ("保育", "子どもとの関わり"),
       ("child_development",), "ongoing", 18, "動きやすい服装、上履き",
       event="salon", follow=("09:30", "12:00", 4, 4)),
    Op("にほんご教室の学習サポーター", "event:nihongo",
       "1対1または少人数で、日本語の会話練習の相手をしてください。教えた経験は不要です。",
       ("やさしい日本語", "英語", "ベトナム語"), ("international_cooperation",), "ongoing", 18,
       "筆記用具", event="nihongo", follow=("18:45", "20:45", 5, 6), deadline_days=1),
    Op("歳末たすけあい募金 街頭ボランティア", "event:saimatsu",
       "駅前で募金箱を持って呼びかけます。1時間だけの参加もできます。", (), ("health_welfare",),
       "one_off", 12, "防寒着",
       shifts=(("2026-12-05", "10:00", "11:00", 10), ("2026-12-05", "11:00", "12:00", 10)),
       event="saimatsu"),
    Op("フードドライブの受付・仕分け", "event:fooddrive",
       "持ち込まれた食品の受付、賞味期限の確認、種類ごとの仕分けをします。", ("食品の取り扱い",),
       ("health_welfare",), "one_off", 15, "エプロン、軍手",
       shifts=(("2026-12-19", "09:30", "12:00", 5), ("2026-12-19", "12:00", "14:30", 5),
               ("2026-12-19", "14:30", "17:00", 5)), event="fooddrive", deadline_days=2),
    Op("雪かきボランティア", "event:yukikaki",
       "高齢者世帯の玄関先と通路の除雪です。スコップは貸し出します。", ("体力に自信のある方",),
       ("health_welfare", "disaster_relief"), "one_off", 16, "防寒着、長靴、手袋、飲み物",
       shifts=(("2027-01-16", "08:00", "11:00", 20),), event="yukikaki"),
    Op("高齢者宅の大掃除お手伝い", "event:osouji",
       "2〜3人の班で高齢者宅を訪ね、窓ふきや換気扇の掃除をします。", ("掃除",),
       ("health_welfare",), "one_off", 15, "雑巾2枚、ゴム手袋、上履き",
       shifts=(("2026-12-20", "09:00", "12:00", 8), ("2026-12-20", "13:00", "16:00", 8)),
       event="osouji", deadline_days=3),
    Op("冬の夜間パトロール 参加者", "event:patrol",
       "拍子木を鳴らしながら町内を一周します。", (), ("community_safety",), "one_off", 18,
       "懐中電灯、防寒着", shifts=(("2026-12-28", "19:00", "20:30", 12),), event="patrol"),
    Op("クリスマスマルシェ 運営スタッフ", "event:marche",
       "出店者の案内、ごみステーションの管理、迷子対応などをお願いします。", ("接客",),
       ("economic_revitalization",), "one_off", 16, "防寒着",
       shifts=(("2026-12-19", "09:00", "13:00", 6), ("2026-12-19", "13:00", "17:00", 6),
               ("2026-12-20", "09:00", "13:00", 6), ("2026-12-20", "13:00", "17:00", 6)),
       event="marche"),
    Op("新春もちつき大会のお手伝い", "event:mochitsuki",
       "もち米の準備、もちつき、配膳を手伝ってください。", ("調理",),
       ("community_development",), "one_off", 15, "エプロン、三角巾",
       shifts=(("2027-01-10", "08:00", "10:00", 10), ("2027-01-10", "10:00", "13:00", 15)),
       event="mochitsuki"),
    Op("多文化交流フェスタの通訳ボランティア", "event:tabunka_fes",
       "会場の案内や料理ブースでの通訳をお願いします。", ("英語", "中国語", "ベトナム語",
       "ポルトガル語", "やさしい日本語"), ("international_cooperation",), "one_off", 18, "",
       shifts=(("2027-02-14", "10:30", "13:30", 8), ("2027-02-14", "13:30", "16:30", 8)),
       event="tabunka_fes"),
    Op("多文化交流フェスタの会場設営・撤収", "event:tabunka_fes",
       "テーブルや展示パネルの設営と撤収です。", ("力仕事",), ("international_cooperation",),
       "one_off", 15, "軍手",
       shifts=(("2027-02-14", "08:30", "11:00", 12), ("2027-02-14", "15:30", "17:30", 12)),
       event="tabunka_fes"),
    Op("市民活動フェスティバル 運営ボランティア", "event:shimin_fes",
       "受付、会場案内、ステージ進行の補助をします。", ("接客",), ("civil_society_support",),
       "one_off", 15, "",
       shifts=(("2027-03-13", "08:30", "10:30", 10), ("2027-03-13", "10:00", "13:00", 10),
               ("2027-03-13", "13:00", "16:00", 10)), event="shimin_fes"),
    Op("ひなまつりイベント 会場設営", "event:hina_setup",
       "ひな飾りと案内看板の設置です。", (), ("economic_revitalization",), "one_off", 16, "軍手",
       shifts=(("2027-02-26", "17:30", "20:00", 8),), event="hina_setup"),
    Op("災害ボランティアセンター 設置運営訓練 参加者", "event:vc_kunren",
       "受付・ニーズ受付・マッチング・送り出しの各班に分かれて訓練します。", (),
       ("disaster_relief",), "one_off", 18, "昼食、飲み物、筆記用具",
       shifts=(("2027-02-07", "09:00", "15:00", 40),), event="vc_kunren", deadline_days=7),
    Op("普通救命講習会の受付補助", "event:kyumei",
       "受付と資料配布、会場の誘導をお願いします。", ("受付",), ("community_safety",), "one_off",
       18, "上履き", shifts=(("2027-01-24", "08:30", "12:00", 2),), event="kyumei"),
    Op("中央公園の落ち葉清掃と花壇の植え替え", "event:ochiba",
       "落ち葉集めと花の苗の植え付けです。", ("園芸",), ("environment",), "one_off", None,
       "軍手、汚れてもよい服装", shifts=(("2026-12-13", "09:00", "11:30", 20),), event="ochiba"),
    Op("ふれあいサロンの話し相手ボランティア", "council",
       "高齢者サロンで、お茶を飲みながらおしゃべりの相手をしてください。", ("傾聴",),
       ("health_welfare",), "ongoing", 18, "上履き",
       shifts=(("2026-12-15", "13:30", "15:30", 3), ("2027-01-19", "13:30", "15:30", 3),
               ("2027-02-16", "13:30", "15:30", 3), ("2027-03-16", "13:30", "15:30", 3))),
    Op("買い物送迎ボランティア（運転）", "driving",
       "団体の車で、買い物が難しい高齢者をスーパーまで送迎します。", ("普通自動車免許",),
       ("health_welfare",), "ongoing", 20, "運転免許証",
       shifts=(("2026-12-04", "09:30", "12:00", 2), ("2026-12-11", "09:30", "12:00", 2),
               ("2026-12-18", "09:30", "12:00", 2), ("2027-01-08", "09:30", "12:00", 2))),
    Op("図書館おはなし会の読み聞かせボランティア", "reading",
       "絵本の読み聞かせや手遊びをします。はじめての方には練習会があります。", ("読み聞かせ",),
       ("child_development", "social_education"), "ongoing", 16, "読みたい絵本（任意）",
       shifts=(("2026-12-26", "10:00", "11:45", 3), ("2027-01-23", "10:00", "11:45", 3),
               ("2027-02-27", "10:00", "11:45", 3))),
    Op("小学生プログラミング教室のメンター", "science",
       "Scratchで作品をつくる小学生に、つまずいたところでヒントを出します。",
       ("Scratch", "プログラミング"), ("science_technology", "child_development"), "ongoing", 16,
       "ノートパソコン（貸出あり）",
       shifts=(("2027-02-20", "13:30", "16:00", 4), ("2027-03-06", "13:30", "16:00", 4),
               ("2027-03-20", "13:30", "16:00", 4))),
    Op("ひとり暮らし高齢者の見守り訪問", "elderly",
       "月に一度、ひとり暮らしの高齢者宅を2人1組で訪ね、声をかけます。", ("傾聴",),
       ("health_welfare", "community_safety"), "ongoing", 20, "身分証明書",
       shifts=(("2026-12-09", "13:00", "16:00", 6), ("2027-01-13", "13:00", "16:00", 6),
               ("2027-02-10", "13:00", "16:00", 6))),
    Op("市民活動センターの受付ボランティア", "support",
       "来館者の案内、チラシの整理、会議室の鍵の貸し出しをします。", ("接客", "パソコン入力"),
       ("civil_society_support",), "ongoing", 18, "",
       shifts=(("2026-12-01", "09:00", "12:00", 1), ("2026-12-03", "09:00", "12:00", 1),
               ("2026-12-08", "09:00", "12:00", 1), ("2026-12-10", "09:00", "12:00", 1),
               ("2026-12-15", "09:00", "12:00", 1), ("2026-12-17", "09:00", "12:00", 1))),
    Op("河川敷の不法投棄パトロール", "river",
       "河川敷を歩いて不法投棄を見つけ、市に通報します。", (), ("environment", "community_safety"),
       "one_off", 18, "軍手、歩きやすい靴",
       shifts=(("2027-01-09", "09:00", "11:00", 10), ("2027-02-06", "09:00", "11:00", 10))),
    Op("多言語防災マップづくり（翻訳）", "tabunka",
       "防災マップの説明文を母語に翻訳します。仕事帰りに参加できる夜の作業会です。",
       ("翻訳", "英語", "中国語", "ポルトガル語"), ("international_cooperation", "disaster_relief"),
       "one_off", 18, "ノートパソコン（あれば）",
       shifts=(("2027-01-27", "18:30", "20:30", 4), ("2027-02-10", "18:30", "20:30", 4))),
    Op("学習支援教室の大学生サポーター", "learning",
       "中学生の宿題や受験勉強をサポートします。", ("学習支援", "数学", "英語"),
       ("child_development", "social_education"), "ongoing", 18, "筆記用具",
       shifts=(("2027-01-13", "17:00", "19:00", 5), ("2027-01-27", "17:00", "19:00", 5),
               ("2027-02-10", "17:00", "19:00", 5), ("2027-02-24", "17:00", "19:00", 5))),
    Op("ボランティア写真展の受付・案内", "event:photo",
       "展示会場で来場者を案内し、アンケートをお願いします。", ("受付",),
       ("civil_society_support",), "one_off", 15, "",
       shifts=(("2027-03-01", "10:00", "13:00", 2), ("2027-03-02", "10:00", "13:00", 2),
               ("2027-03-03", "10:00", "13:00", 2), ("2027-03-04", "10:00", "13:00", 2),
               ("2027-03-05", "10:00", "13:00", 2)), event="photo"),
    Op("団体チラシのデザイン（プロボノ）", "support",
       "市民活動団体のチラシを一緒につくるデザイナーを募集します。初回はオンライン打合せです。",
       ("デザイン", "Illustrator", "Canva"), ("civil_society_support",), "ongoing", 18, "",
       shifts=(("2027-01-13", "19:00", "20:30", 3),)),
    Op("年末の子ども見守り活動（募集終了）", "assoc",
       "冬休み中の通学路の見守りです。定員に達したため募集を終了しました。", (),
       ("child_development", "community_safety"), "one_off", 18, "腕章（貸出）",
       shifts=(("2026-12-24", "15:00", "17:00", 10),), status="closed"),
)  # fmt: skip

# 架空の人物 (fictional people); example.jp addresses never reach anyone.
PEOPLE: tuple[tuple[str, str, str], ...] = (
    ("佐藤 花子", "サトウ ハナコ", "hanako.sato"),
    ("鈴木 一郎", "スズキ イチロウ", "ichiro.suzuki"),
    ("高橋 美咲", "タカハシ ミサキ", "misaki.takahashi"),
    ("田中 健太", "タナカ ケンタ", "kenta.tanaka"),
    ("伊藤 さくら", "イトウ サクラ", "sakura.ito"),
    ("渡辺 大輔", "ワタナベ ダイスケ", "daisuke.watanabe"),
    ("山本 陽菜", "ヤマモト ヒナ", "hina.yamamoto"),
    ("中村 翔太", "ナカムラ ショウタ", "shota.nakamura"),
    ("小林 恵子", "コバヤシ ケイコ", "keiko.kobayashi"),
    ("グエン・ティ・ラン", "グエン ティ ラン", "lan.nguyen"),
    ("加藤 蓮", "カトウ レン", "ren.kato"),
    ("吉田 結衣", "ヨシダ ユイ", "yui.yoshida"),
)
# (opportunity index, shift index, how many sign-ups, cancel the first?)
SIGNUPS: tuple[tuple[int, int, int, bool], ...] = (
    (0, 0, 3, False),  # こども食堂, first Saturday
    (2, 0, 2, False),  # 岩下川クリーン作戦
    (6, 1, 2, False),  # フードドライブ, midday
    (12, 0, 2, False),  # 通訳
    (17, 0, 3, True),  # 救命講習の受付 (2 places): one waitlisted, then a cancellation
)


# --- the generated season --------------------------------------------------------------


@dataclass(frozen=True)
class SeasonEvent:
    """One event: its body without ``organizer_ids``, and its organisers by name."""

    key: str
    organizers: tuple[str, ...]
    body: dict[str, Any]

    def payload(self, ids: Mapping[str, str]) -> dict[str, Any]:
        """The ``POST /v1/events`` body, with organisers' names mapped to ids."""
        return {**self.body, "organizer_ids": [ids[name] for name in self.organizers]}


@dataclass(frozen=True)
class SeasonShift:
    """A shift's body, the sign-ups to make on it, and whether the first then cancels."""

    body: dict[str, Any]
    signups: tuple[dict[str, Any], ...] = ()
    cancel_first: bool = False


@dataclass(frozen=True)
class SeasonOpportunity:
    """An opportunity's body without ``organization_id``/``event_id``, and its shifts."""

    organization: str
    body: dict[str, Any]
    shifts: tuple[SeasonShift, ...]
    event_key: str | None = None

    def payload(self, organization_id: str, event_id: str | None = None) -> dict[str, Any]:
        """The ``POST /v1/opportunities`` body."""
        body = {**self.body, "organization_id": organization_id}
        if event_id is not None:
            body["event_id"] = event_id
        return body


@dataclass(frozen=True)
class DemoSeason:
    """The season's events, opportunities (with shifts and sign-ups) and points rule."""

    events: list[SeasonEvent]
    opportunities: list[SeasonOpportunity]
    points_rules: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """Units of work for progress reports: an event, an opportunity, a points rule."""
        return len(self.events) + len(self.opportunities) + len(self.points_rules)


def occurrence_starts(event: Mapping[str, Any]) -> list[datetime]:
    """The starts of an event body's occurrences (the start alone when it does not repeat)."""
    start = datetime.fromisoformat(event["starts_at"])
    recurrence = event.get("recurrence")
    if not recurrence:
        return [start]
    text = recurrence["rrule"]
    if "COUNT" not in text and "UNTIL" not in text:
        text += ";UNTIL=" + SEASON_END.strftime("%Y%m%d") + "T235959"
    naive = start.replace(tzinfo=None)
    return [s.replace(tzinfo=start.tzinfo) for s in du_rrule.rrulestr(text, dtstart=naive)]


def _contact(org: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": org["name"][:100], "email": org.get("email") or _CITY_MAIL}


def _event(ev: Ev, picker: _Picker, rng: random.Random) -> SeasonEvent:
    hosts = picker.hosts(ev.hosts)
    if ev.all_day_until:
        starts = _at(ev.day, "00:00")
        ends = _at(ev.all_day_until, "00:00") + timedelta(days=1)
    else:
        starts, ends = _at(ev.day, ev.start), _at(ev.day, ev.end)
    body: dict[str, Any] = {
        "title": ev.title,
        "description": ev.description,
        "kind": ev.kind,
        "starts_at": _iso(starts),
        "ends_at": _iso(ends),
        "municipality_code": CITY_CODE,
        "fields": list(ev.fields),
        "status": ev.status,
        "contact": _contact(hosts[0]),
    }
    if ev.all_day_until:
        body["all_day"] = True
    if ev.place:
        body["venue"] = _venue(ev.place)
        body["accessibility_notes"] = VENUES[ev.place].access
    if ev.online or not ev.place:
        body["online_url"] = f"{_ONLINE}{ev.key.replace('_', '-')}-{ev.day.replace('-', '')}"
    if ev.audience:
        body["target_audience"] = ev.audience
    if ev.fee is not None:
        body["fee_jpy"] = ev.fee
    if ev.fee_note:
        body["fee_note"] = ev.fee_note
    if ev.capacity:
        body["capacity"] = ev.capacity
        if ev.status == "published" and not ev.rrule:
            # Registration closes the evening before; some events are (nearly) full.
            body["places_taken"] = min(ev.capacity, rng.randint(0, ev.capacity))
            deadline = _at(ev.day, "17:00") - timedelta(days=1)
            body["registration_deadline"] = _iso(deadline)
    if ev.rrule:
        cancelled = [_iso(_at(day, ev.start)) for day in ev.cancelled]
        body["recurrence"] = {"rrule": ev.rrule, "cancelled_occurrences": cancelled}
    return SeasonEvent(ev.key, tuple(o["name"] for o in hosts), body)


def _shift(day: str, start: str, end: str, capacity: int, deadline_days: int | None) -> dict:
    body: dict[str, Any] = {
        "starts_at": _iso(_at(day, start)),
        "ends_at": _iso(_at(day, end)),
        "capacity": capacity,
    }
    if deadline_days:
        body["signup_deadline"] = _iso(_at(day, "17:00") - timedelta(days=deadline_days))
    return body


def _opportunity(
    op: Op, events: Mapping[str, SeasonEvent], picker: _Picker, rng: random.Random
) -> SeasonOpportunity:
    if op.owner.startswith("event:"):
        owner = events[op.owner.removeprefix("event:")].organizers[0]
    else:
        owner = picker.pick(op.owner, set())["name"]
    slots = list(op.shifts)
    if op.follow is not None and op.event is not None:
        start, end, capacity, how_many = op.follow
        body = events[op.event].body
        called_off = set((body.get("recurrence") or {}).get("cancelled_occurrences", []))
        days = [s.date().isoformat() for s in occurrence_starts(body) if _iso(s) not in called_off]
        slots = [(day, start, end, capacity) for day in days[:how_many]]
    shifts = [_shift(*slot, op.deadline_days) for slot in slots]
    body = {
        "title": op.title,
        "description": op.description,
        "skills_wanted": list(op.skills),
        "fields": list(op.fields),
        "municipality_code": CITY_CODE,
        "commitment": op.commitment,
        "minimum_age": op.minimum_age,
        "what_to_bring": op.bring,
        "status": op.status,
    }
    if op.commitment == "ongoing":
        body["starts_at"] = _iso(_at(SEASON_START.isoformat(), "00:00"))
        body["ends_at"] = _iso(_at(SEASON_END.isoformat(), "00:00") + timedelta(days=1))
    return SeasonOpportunity(
        owner, body, tuple(SeasonShift(s) for s in shifts), op.event if op.event else None
    )


def _with_signups(
    opportunities: list[SeasonOpportunity], rng: random.Random
) -> list[SeasonOpportunity]:
    people = list(PEOPLE)
    rng.shuffle(people)
    turn = 0
    result = list(opportunities)
    for op_index, shift_index, how_many, cancel in SIGNUPS:
        if op_index >= len(result) or shift_index >= len(result[op_index].shifts):
            continue
        chosen = [people[(turn + i) % len(people)] for i in range(how_many)]
        turn += how_many
        signups = tuple(
            {"name": name, "name_kana": kana, "email": f"{local}@example.jp"}
            for name, kana, local in chosen
        )
        opportunity = result[op_index]
        shifts = list(opportunity.shifts)
        shifts[shift_index] = SeasonShift(shifts[shift_index].body, signups, cancel)
        result[op_index] = SeasonOpportunity(
            opportunity.organization, opportunity.body, tuple(shifts), opportunity.event_key
        )
    return result


def demo_season(
    organizations: Sequence[DemoOrganization] | None = None, seed: int = 2026
) -> DemoSeason:
    """The season 2026-12 to 2027-03, organised by ``organizations`` (default: the 300 of
    ``demo_organizations()``), deterministic for the organisations and ``seed``."""
    orgs = list(organizations) if organizations is not None else demo_organizations()
    if not orgs:
        return DemoSeason([], [], {})
    rng = random.Random(seed)
    picker = _Picker(orgs, rng)
    events = [_event(ev, picker, rng) for ev in EVENTS]
    by_key = {event.key: event for event in events}
    opportunities = [_opportunity(op, by_key, picker, rng) for op in OPPORTUNITIES]
    return DemoSeason(events, _with_signups(opportunities, rng), {CITY_CODE: dict(POINTS_RULE)})
