"""The demo city 桜ヶ丘市 (fictional, 群馬県): organisations and their resources.

``demo_organizations`` builds a few hundred organisations of every kind, each
with 1-4 resources, as the exact JSON bodies of ``POST /v1/organizations`` and
``POST /v1/organizations/{id}/resources``. The same seed gives the same data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from kyodo.demo import names as n
from kyodo.demo.names import Spec

__all__ = [
    "KIND_RESOURCE_TYPES",
    "KIND_SHARES",
    "DemoOrganization",
    "corporate_check_digit",
    "demo_organizations",
    "romanize",
]

# Realistic proportions of a Japanese city's registry (normalised when used).
KIND_SHARES: dict[str, float] = {
    "neighbourhood_association": 0.26,
    "volunteer_group": 0.18,
    "npo_corporation": 0.17,
    "company": 0.16,
    "general_incorporated": 0.05,
    "public_interest_corporation": 0.025,
    "intermediary": 0.01,
    "social_welfare_council": 0.015,
    "university": 0.015,
    "school": 0.035,
    "government": 0.06,
}

# What each kind offers, with weights (see GLOSSARY.md, シーズの種類).
KIND_RESOURCE_TYPES: dict[str, dict[str, int]] = {
    "npo_corporation": {"service_delivery": 4, "knowledge": 3, "network": 2, "volunteers": 2,
                        "event_cohosting": 1},
    "volunteer_group": {"volunteers": 4, "service_delivery": 2, "event_cohosting": 2,
                        "knowledge": 1},
    "neighbourhood_association": {"venue": 4, "publicity": 3, "network": 3, "volunteers": 1,
                                  "event_cohosting": 1},
    "company": {"volunteers": 3, "pro_bono": 3, "funding": 2, "goods": 3, "venue": 1,
                "event_cohosting": 1},
    "general_incorporated": {"knowledge": 2, "network": 2, "event_cohosting": 2, "venue": 1,
                             "publicity": 1},
    "public_interest_corporation": {"knowledge": 2, "network": 2, "venue": 1,
                                    "service_delivery": 1, "event_cohosting": 1},
    "intermediary": {"network": 4, "knowledge": 3, "publicity": 2, "venue": 2,
                     "event_cohosting": 1},
    "social_welfare_council": {"volunteers": 3, "network": 3, "goods": 2, "knowledge": 1,
                               "service_delivery": 1, "venue": 1},
    "university": {"knowledge": 4, "volunteers": 3, "venue": 1, "event_cohosting": 1},
    "school": {"volunteers": 3, "venue": 3, "knowledge": 1, "event_cohosting": 2},
    "government": {"venue": 2, "publicity": 3, "network": 2, "knowledge": 1},
}  # fmt: skip

_WHO = {
    "company": "社員", "university": "学生", "school": "生徒", "npo_corporation": "スタッフ",
    "volunteer_group": "会員", "neighbourhood_association": "住民",
    "social_welfare_council": "登録ボランティア", "government": "職員",
}  # fmt: skip
_ROLES = {
    "neighbourhood_association": ("会長", "副会長", "防災部長"),
    "volunteer_group": ("代表", "事務局"),
    "npo_corporation": ("理事長", "事務局長", "コーディネーター"),
    "company": ("総務部 地域貢献担当", "CSR推進室長", "代表取締役"),
    "government": ("主任", "係長", "協働担当"),
    "university": ("地域連携コーディネーター", "准教授"),
    "school": ("教頭", "地域連携担当教諭"),
}
_MAX_TRIES = 2_000  # draws from a generator before its names count as used up
_CITY_HALL = ("群馬県桜ヶ丘市中央一丁目1番1号", "370-3690", 36.3521, 139.0462)
_CITY_SITE = "https://www.city.sakuragaoka.example.jp"
_PREF_SITE = "https://www.pref.gunma.example.jp"


@dataclass(frozen=True)
class DemoOrganization:
    """One demo organisation: its create body and the bodies of its resources."""

    payload: dict[str, Any]
    resources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.payload["name"])


def corporate_check_digit(base12: str) -> int:
    """The 法人番号 check digit of a 12-digit base (National Tax Agency rule)."""
    total = sum(int(d) * (1 if i % 2 else 2) for i, d in enumerate(reversed(base12), start=1))
    return 9 - total % 9


def demo_organizations(count: int = 300, seed: int = 2026) -> list[DemoOrganization]:
    """``count`` organisations (every kind once ``count`` >= 11), deterministic for ``seed``."""
    if count < 1:
        return []
    rng = random.Random(seed)
    seen: set[str] = set()
    sources = {kind: n.CANDIDATES[kind](rng) for kind in KIND_SHARES}
    by_kind: dict[str, list[Spec]] = {kind: [] for kind in KIND_SHARES}

    dry: set[str] = set()

    def take(kind: str) -> bool:
        if kind in dry:
            return False
        for _, spec in zip(range(_MAX_TRIES), sources[kind], strict=False):
            if spec.name not in seen:
                seen.add(spec.name)
                by_kind[kind].append(spec)
                return True
        dry.add(kind)  # this kind's names are (nearly) used up
        return False

    for kind, quota in _quotas(max(count, len(KIND_SHARES))).items():
        while len(by_kind[kind]) < quota and take(kind):
            pass
    # Small pools (universities, ...) may run dry for large counts: top up from the open ones.
    open_kinds = ["volunteer_group", "npo_corporation", "company", "general_incorporated"]
    turn = 0
    while sum(map(len, by_kind.values())) < count:
        if not any(take(open_kinds[(turn + i) % len(open_kinds)]) for i in range(4)):
            raise ValueError(f"the demo city has fewer than {count} distinct organisations")
        turn += 1
    # One anchor of each kind first, then the rest mixed.
    first = [specs[0] for specs in by_kind.values() if specs]
    rest = [spec for specs in by_kind.values() for spec in specs[1:]]
    rng.shuffle(rest)
    numbers: set[str] = set()
    result = []
    for spec in (first + rest)[:count]:
        payload = _payload(spec, rng, numbers)
        result.append(DemoOrganization(payload, _resources(spec, payload, rng)))
    return result


def _quotas(count: int) -> dict[str, int]:
    total = sum(KIND_SHARES.values())
    exact = {k: count * s / total for k, s in KIND_SHARES.items()}
    quotas = {k: max(1, int(v)) for k, v in exact.items()}
    by_remainder = sorted(exact, key=lambda k: exact[k] - int(exact[k]), reverse=True)
    for i in range(max(0, count - sum(quotas.values()))):
        quotas[by_remainder[i % len(by_remainder)]] += 1
    while sum(quotas.values()) > count:
        quotas[max(quotas, key=lambda k: quotas[k])] -= 1
    return quotas


# --- organisations ---


def _payload(spec: Spec, rng: random.Random, numbers: set[str]) -> dict[str, Any]:
    postal, address, lat, lon = _location(spec, rng)
    slug = romanize(spec.slug_kana)[:30]
    website, email = _web(spec, slug, rng)
    fields = list(dict.fromkeys(spec.fields))[:4]
    return {
        "name": spec.name,
        "name_kana": spec.kana,
        "kind": spec.kind,
        "corporate_number": _corporate_number(rng, numbers) if spec.corporate else None,
        "certification": _certification(rng) if spec.kind == "npo_corporation" else None,
        "municipality_code": spec.muni,
        "postal_code": postal,
        "address": address,
        "latitude": lat,
        "longitude": lon,
        "website": website,
        "email": email,
        "phone": _phone(spec, rng),
        "fields": fields,
        "description": _description(spec, rng),
        "established_on": _established(spec, rng),
        "contacts": _contacts(spec, slug, email, rng),
    }


def _location(spec: Spec, rng: random.Random) -> tuple[str | None, str | None, float, float]:
    if spec.muni == n.PREF_CODE:
        return n.PREF_OFFICE[1], n.PREF_OFFICE[0], n.PREF_OFFICE[2], n.PREF_OFFICE[3]
    if spec.kind == "government" and not spec.extra.get("kominkan"):
        return _CITY_HALL[1], _CITY_HALL[0], _CITY_HALL[2], _CITY_HALL[3]
    if spec.muni == n.CITY_CODE:
        city, district = n.CITY[0], spec.district or rng.choice(n.DISTRICTS)
    else:
        (city, _), districts = n.NEIGHBOURS[spec.muni]
        district = rng.choice(districts)
    lat = round(district.lat + rng.uniform(-0.003, 0.003), 6)
    lon = round(district.lon + rng.uniform(-0.003, 0.003), 6)
    if spec.kind == "volunteer_group" and rng.random() < 0.4:
        return None, None, round(district.lat, 3), round(district.lon, 3)  # no office
    if district.chome:
        chome = spec.extra.get("chome") or rng.randint(1, district.chome)
        banchi = f"{rng.randint(1, 28)}番{rng.randint(1, 24)}号"
        place = f"{district.name}{n.CHOME[chome - 1][0]}丁目{banchi}"
    else:
        place = f"{district.name}{rng.randint(100, 2999)}番地"
        if rng.random() < 0.4:
            place += f"の{rng.randint(1, 9)}"
    return district.postal, f"群馬県{city}{place}", lat, lon


_WEB_SHARE = {"npo_corporation": 0.8, "volunteer_group": 0.3, "neighbourhood_association": 0.15}


def _web(spec: Spec, slug: str, rng: random.Random) -> tuple[str | None, str | None]:
    if spec.kind == "government":
        site = _PREF_SITE if spec.muni == n.PREF_CODE else _CITY_SITE
        host = site.removeprefix("https://www.")
        section = "shisetsu" if spec.extra.get("kominkan") else "soshiki"
        return f"{site}/{section}/{slug}/", f"{slug}@{host}"
    if rng.random() < _WEB_SHARE.get(spec.kind, 0.95):
        return f"https://{slug}.example.jp/", f"info@{slug}.example.jp"
    return None, (f"{slug}@example.jp" if rng.random() < 0.5 else None)


def _phone(spec: Spec, rng: random.Random) -> str | None:
    if spec.kind in ("volunteer_group", "neighbourhood_association") and rng.random() < 0.5:
        return None
    exchange = 3 if spec.muni == n.TAKASAKI_CODE else 2
    return f"027-{exchange}{rng.randint(10, 99)}-{rng.randint(0, 9999):04d}"


def _corporate_number(rng: random.Random, numbers: set[str]) -> str:
    while True:
        base = f"{rng.randint(10**11, 10**12 - 1)}"
        number = f"{corporate_check_digit(base)}{base}"
        if number not in numbers:
            numbers.add(number)
            return number


def _certification(rng: random.Random) -> dict[str, str] | None:
    roll = rng.random()
    if roll > 0.18:
        return None
    special = roll < 0.04
    start = date(rng.randint(2024 if special else 2022, 2025), rng.choice([4, 7, 10]), 1)
    years = 3 if special else 5
    until = date(start.year + years, start.month, 1) - timedelta(days=1)
    status = "special_certified" if special else "certified"
    return {"status": status, "valid_from": start.isoformat(), "valid_until": until.isoformat()}


_FOUNDED = {
    "neighbourhood_association": (1952, 1998), "npo_corporation": (1999, 2024),
    "volunteer_group": (2003, 2025), "company": (1948, 2021), "university": (1962, 2004),
    "school": (1948, 2008), "general_incorporated": (1950, 2023),
    "public_interest_corporation": (1970, 2015), "intermediary": (2002, 2020),
    "social_welfare_council": (1953, 1990),
}  # fmt: skip


def _established(spec: Spec, rng: random.Random) -> str | None:
    span = _FOUNDED.get(spec.kind)
    if span is None or (spec.kind == "volunteer_group" and rng.random() < 0.3):
        return None
    day = date(rng.randint(*span), 1, 1) + timedelta(days=rng.randint(0, 364))
    return day.isoformat()


def _area(spec: Spec) -> str:
    if spec.muni == n.CITY_CODE:
        return n.CITY[0] + (spec.district.name if spec.district else "")
    return "群馬県" if spec.muni == n.PREF_CODE else n.NEIGHBOURS[spec.muni][0][0]


def _description(spec: Spec, rng: random.Random) -> str:
    acts = list(spec.acts)
    rng.shuffle(acts)
    a0, a1 = acts[0], acts[-1] if len(acts) > 1 else "地域の交流"
    area, kind = _area(spec), spec.kind
    if kind == "neighbourhood_association":
        hh = rng.randint(8, 60) * 10
        town = spec.name.removesuffix("自治会").removesuffix("町内会")
        return f"{town}の約{hh}世帯でつくる住民組織です。{a0}や{a1}を行っています。"
    if kind == "company":
        flav = n.FLAVOURS[spec.flavour]
        return f"{area}に拠点を置く{flav.industry}です。地域貢献として{a0}や{a1}に協力しています。"
    if kind == "government":
        return f"{spec.name}です。{a0}や{a1}を担当しています。協働の相談はお気軽にどうぞ。"
    if kind == "university":
        return f"学生と教員が{a0}や{a1}に取り組んでいます。地域との共同研究も受け付けています。"
    if kind == "school":
        return f"{area}にある学校です。{a0}や{a1}を通じて地域と連携しています。"
    if kind == "volunteer_group":
        members = rng.randint(5, 40)
        return f"{area}で{a0}を続けている市民グループです。" + (
            f"メンバーは{members}名ほどで、{a1}も行っています。"
        )
    if kind in ("intermediary", "social_welfare_council"):
        return f"{a0}や{a1}を通じて市民・企業・行政をつなぎ、" + (
            "誰もが暮らしやすい地域づくりを進めています。"
        )
    text = f"{area}を拠点に、{a0}や{a1}に取り組んでいます。"
    if spec.foundation:
        text += "地域で活動する団体への助成事業も行っています。"
    return text


def _contacts(spec: Spec, slug: str, email: str | None, rng: random.Random) -> list[dict[str, Any]]:
    roles = _ROLES.get(spec.kind, ("事務局長", "担当"))
    contacts = []
    for role in roles[: rng.choice([0, 1, 1, 2])]:
        family, given = rng.choice(n.FAMILY_NAMES), rng.choice(n.GIVEN_NAMES)
        local = f"{romanize(given[1])[0]}.{romanize(family[1])}"
        domain = email.split("@", 1)[1] if email else "example.jp"
        contacts.append(
            {
                "name": f"{family[0]} {given[0]}",
                "name_kana": f"{family[1]} {given[1]}",
                "role": role,
                "email": f"{local}@{domain}",
                "phone": f"090-{rng.randint(1000, 9999)}-{rng.randint(0, 9999):04d}",
            }
        )
    return contacts


# --- resources ---


def _resources(spec: Spec, payload: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    weights = dict(KIND_RESOURCE_TYPES[spec.kind])
    if spec.kind == "company" and spec.flavour in ("media", "printing"):
        weights["publicity"] = 4
    forced = []
    if spec.foundation or (
        spec.programme and spec.kind in ("government", "social_welfare_council")
    ):
        forced.append("funding")
    if spec.extra.get("kominkan"):
        forced.append("venue")
    count = rng.choices([1, 2, 3, 4], weights=[25, 35, 25, 15])[0]
    types = forced + _weighted_sample(
        [t for t in weights if t not in forced], [weights[t] for t in weights if t not in forced],
        max(0, count - len(forced)), rng,
    )  # fmt: skip
    return [_resource(spec, payload, t, rng) for t in types]


def _weighted_sample(items: list[str], weights: list[int], k: int, rng: random.Random) -> list[str]:
    items, weights, out = list(items), list(weights), []
    for _ in range(min(k, len(items))):
        i = rng.choices(range(len(items)), weights=weights)[0]
        out.append(items.pop(i))
        weights.pop(i)
    return out


def _resource(
    spec: Spec, payload: dict[str, Any], rtype: str, rng: random.Random
) -> dict[str, Any]:
    texts = n.RESOURCE_TEXTS_BY_KIND.get((spec.kind, rtype)) or n.RESOURCE_TEXTS[rtype]
    title, description = rng.choice(texts)
    values = _text_values(spec, rng)
    funding = _funding(spec, payload, values, rng) if rtype == "funding" else None
    return {
        "type": rtype,
        "title": title.format(**values),
        "description": description.format(**values),
        "fields": list(payload["fields"]),
        "municipality_codes": _codes(spec, rng),
        "service_radius_km": _radius(spec, rng),
        "availability": None if rtype == "funding" else _availability(rtype, values, rng),
        "funding": funding,
        "conditions": rng.choice(n.CONDITIONS[rtype]),
        "status": "paused" if rng.random() < 0.08 else "active",
    }


def _text_values(spec: Spec, rng: random.Random) -> dict[str, Any]:
    acts = rng.sample(list(spec.acts), min(2, len(spec.acts)))
    flav = n.FLAVOURS.get(spec.flavour) or n.FLAVOURS["media"]
    venue = {
        "company": flav.venue, "school": "体育館と特別教室", "university": "講義室とホール",
        "government": "公民館の講座室と調理室"
        if spec.extra.get("kominkan") else "市民活動センターの会議室",
        "intermediary": "交流スペースと会議室", "social_welfare_council": "福祉会館の会議室",
    }.get(spec.kind, "事務所の会議室")  # fmt: skip
    town = spec.district.name if spec.district else (spec.name if spec.kind == "school" else "市内")
    if spec.kind == "neighbourhood_association":
        town = spec.name.removesuffix("自治会").removesuffix("町内会")
    year = rng.choice([2026, 2027])
    if spec.kind == "company":
        suffix = rng.choice(["地域応援基金", "まちづくり助成", "社会貢献助成プログラム"])
        programme = f"{_short(spec.name)} {suffix}"
    elif spec.kind == "government":
        programme = f"{year}年度 {spec.programme}"
    else:
        programme = f"{year}年度 {spec.programme}助成"
    return {
        "act": acts[0], "act2": acts[-1], "who": _WHO.get(spec.kind, "スタッフ"), "town": town,
        "venue": venue, "goods": flav.goods, "skill": flav.skill, "event": rng.choice(n.EVENTS),
        "cap": rng.choice([10, 15, 20, 30, 40, 50, 80]), "num": rng.randint(3, 40),
        "hh": rng.randint(8, 60) * 10, "max_man": rng.choice([10, 20, 30, 50, 100, 200]),
        "year": year, "purpose": spec.programme if spec.foundation else "地域課題の解決",
        "prog": programme,
    }  # fmt: skip


_LEGAL = (
    "株式会社", "有限会社", "合同会社", "特定非営利活動法人 ", "一般社団法人 ",
    "一般財団法人 ", "公益社団法人 ", "公益財団法人 ", "社会福祉法人 ", "税理士法人",
    "弁護士法人",
)  # fmt: skip


def _short(name: str) -> str:
    """The name without its legal form (株式会社 etc.)."""
    for legal in _LEGAL:
        name = name.removeprefix(legal).removesuffix(legal)
    return name


def _funding(
    spec: Spec, payload: dict[str, Any], values: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    year = values["year"]
    opens = date(year, rng.choice([4, 5, 6, 9]), 1)
    deadline = opens + timedelta(days=rng.choice([30, 45, 60, 90]) - 1)
    base = payload["website"] or f"https://{romanize(spec.slug_kana)}.example.jp/"
    high = values["max_man"] * 10_000
    return {
        "amount_min_jpy": rng.choice([None, 50_000, 100_000]) if high > 100_000 else None,
        "amount_max_jpy": high,
        "application_opens_on": opens.isoformat(),
        "application_deadline": deadline.isoformat(),
        "eligibility": rng.choice(
            [
                f"{n.CITY[0]}内で活動する市民活動団体、NPO法人、自治会（設立1年以上）",
                "市内に活動拠点がある非営利団体。個人は対象外です。",
                "こども食堂・子育てサロン・高齢者の見守りなど地域福祉に取り組む団体",
            ]
        ),
        "programme_url": f"{base}josei/{year}/",
    }


def _codes(spec: Spec, rng: random.Random) -> list[str]:
    if spec.muni == n.PREF_CODE:
        return [n.PREF_CODE]
    if spec.muni != n.CITY_CODE:
        return [spec.muni, n.CITY_CODE]
    if spec.kind in ("company", "university", "npo_corporation") and rng.random() < 0.3:
        return [n.CITY_CODE, n.MAEBASHI_CODE, n.TAKASAKI_CODE]
    return [n.CITY_CODE]


def _radius(spec: Spec, rng: random.Random) -> float | None:
    low_high = {
        "neighbourhood_association": (0.5, 2.0), "volunteer_group": (3, 10),
        "npo_corporation": (5, 20), "company": (10, 30),
    }.get(spec.kind)  # fmt: skip
    return round(rng.uniform(*low_high), 1) if low_high else None


_DAYS = (["sat", "sun"], ["mon", "tue", "wed", "thu", "fri"], ["tue", "thu"], ["sat"], [])
_TIMES = ("土日の10時〜16時", "平日の日中", "平日の夕方以降も可", "要相談", None)


def _availability(rtype: str, values: dict[str, Any], rng: random.Random) -> dict[str, Any] | None:
    if rtype in ("publicity", "network") and rng.random() < 0.6:
        return None
    starts = date(2026, rng.choice([4, 5, 6, 7, 9, 10]), 1)
    ends = date(2027, 3, 31) if rng.random() < 0.6 else None
    capacity = values["cap"] if rtype in ("volunteers", "venue", "knowledge", "goods") else None
    return {
        "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat() if ends else None,
        "days_of_week": list(rng.choice(_DAYS)),
        "time_note": rng.choice(_TIMES),
        "capacity": capacity,
    }


# --- romanisation for domains and e-mail addresses ---

_KATAKANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
    "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポァィゥェォヴ"
)
_ROMAJI = (
    "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no "
    "ha hi fu he ho ma mi mu me mo ya yu yo ra ri ru re ro wa o n "
    "ga gi gu ge go za ji zu ze zo da ji zu de do ba bi bu be bo pa pi pu pe po "
    "a i u e o vu"
)
_KANA = dict(zip(_KATAKANA, _ROMAJI.split(), strict=True))
_SMALL = {"ャ": "ya", "ュ": "yu", "ョ": "yo"}


def romanize(kana: str) -> str:
    """A plain ASCII spelling of a katakana reading (for host names and e-mail)."""
    out: list[str] = []
    double = False
    for char in kana:
        if char in _SMALL and out and out[-1].endswith("i"):
            prev = out.pop()[:-1]
            palatal = prev.endswith(("sh", "ch", "j"))
            out.append(prev + (_SMALL[char][-1] if palatal else _SMALL[char]))
        elif char == "ッ":
            double = True
            continue
        elif char in _KANA:
            syllable = _KANA[char]
            out.append(
                syllable[0] + syllable if double and syllable[0] not in "aiueon" else syllable
            )
        elif char.isascii() and char.isalnum():
            out.append(char.lower())
        double = False
    return "".join(out)
