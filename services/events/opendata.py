"""CSV in the columns of the municipal standard open-data set for events.

自治体標準オープンデータセット「イベント一覧」: one row per event (a recurring
series is one row, its pattern described in 開始日時特記事項), UTF-8 with a BOM
and CRLF line endings so that spreadsheet software opens it as Japanese text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.events.recurrence import cancelled_starts, local_span, rule_parts, series_end

__all__ = ["OPEN_DATA_COLUMNS", "describe_recurrence", "events_csv"]

# The column names and order of the published template (推奨データセット →
# 自治体標準オープンデータセット「イベント一覧」), as municipalities publish it.
OPEN_DATA_COLUMNS: tuple[str, ...] = (
    "都道府県コード又は市区町村コード",
    "NO",
    "都道府県名",
    "市区町村名",
    "イベント名",
    "イベント名_カナ",
    "イベント名_英語",
    "開始日",
    "終了日",
    "開始時間",
    "終了時間",
    "開始日時特記事項",
    "説明",
    "料金(基本)",
    "料金(詳細)",
    "連絡先名称",
    "連絡先電話番号",
    "連絡先内線番号",
    "主催者",
    "場所名称",
    "住所",
    "方書",
    "緯度",
    "経度",
    "アクセス方法",
    "駐車場情報",
    "定員",
    "参加申込終了日",
    "参加申込終了時間",
    "参加申込方法",
    "URL",
    "備考",
)

BOM = "\ufeff"
JAPAN = ZoneInfo("Asia/Tokyo")
# Indexed by the first two digits of the municipality code (JIS X 0401).
_PREFECTURE_NAMES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 "
    "東京都 神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 "
    "滋賀県 京都府 大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 "
    "香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県"
)
_PREFECTURES = _PREFECTURE_NAMES.split()
_WEEKDAYS = {"MO": "月", "TU": "火", "WE": "水", "TH": "木", "FR": "金", "SA": "土", "SU": "日"}
_STATUS_NOTE = {"cancelled": "【中止】", "postponed": "【延期】"}
# Cells a spreadsheet would run as a formula (CSV injection, OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def events_csv(
    events: Iterable[Mapping[str, Any]], *, municipality_names: Mapping[str, str] | None = None
) -> Iterator[bytes]:
    """Stream the open-data CSV of ``EventPublic`` dicts: the header chunk, then one per row.

    ``municipality_names`` maps a municipality code to its name (市区町村名);
    the prefecture name comes from the code itself.
    """
    names = municipality_names or {}
    yield (BOM + _line(OPEN_DATA_COLUMNS)).encode("utf-8")
    for event in events:
        yield _line(_row(event, names)).encode("utf-8")


def _line(values: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def _row(event: Mapping[str, Any], names: Mapping[str, str]) -> tuple[str, ...]:
    start, end = (moment.astimezone(JAPAN) for moment in local_span(event))
    all_day = bool(event.get("all_day"))
    last_end = _last_end(event, start, end)
    code = event.get("municipality_code") or ""
    prefecture = _prefecture(code)
    venue = event.get("venue") or {}
    contact = event.get("contact") or {}
    deadline = _japan(event.get("registration_deadline"))
    fee = event.get("fee_jpy")
    row = {
        "都道府県コード又は市区町村コード": code,
        "NO": event["id"],
        "都道府県名": prefecture,
        "市区町村名": names.get(code, "").removeprefix(prefecture) if code[2:5] != "000" else "",
        "イベント名": _text(event["title"]),
        "開始日": start.date().isoformat(),
        "終了日": last_end.date().isoformat() if last_end else "",
        "開始時間": "" if all_day else start.strftime("%H:%M"),
        "終了時間": "" if all_day else end.strftime("%H:%M"),
        "開始日時特記事項": _date_note(event, start),
        "説明": _text(event.get("description") or ""),
        "料金(基本)": "" if fee is None else "無料" if fee == 0 else str(fee),
        "料金(詳細)": _text(event.get("fee_note") or ""),
        "連絡先名称": _text(contact.get("name") or ""),
        "連絡先電話番号": _text(contact.get("phone") or ""),
        "主催者": _text("、".join(o["name"] for o in event.get("organizers") or [])),
        "場所名称": _text(venue.get("name") or ("オンライン" if event.get("online_url") else "")),
        "住所": _text(venue.get("address") or ""),
        "緯度": _number(venue.get("latitude")),
        "経度": _number(venue.get("longitude")),
        "定員": _number(event.get("capacity")),
        "参加申込終了日": deadline.date().isoformat() if deadline else "",
        "参加申込終了時間": deadline.strftime("%H:%M") if deadline else "",
        "参加申込方法": _text(_how_to_apply(contact)),
        "URL": contact.get("url") or event.get("online_url") or "",
        "備考": _text(_remarks(event)),
    }
    return tuple(row.get(column, "") for column in OPEN_DATA_COLUMNS)


def _last_end(event: Mapping[str, Any], start: datetime, end: datetime) -> datetime | None:
    """End of the last occurrence, as a date the column can hold (None: open-ended)."""
    rule = (event.get("recurrence") or {}).get("rrule")
    tz = event.get("timezone") or "Asia/Tokyo"
    last = series_end(starts_at=start, ends_at=end, rrule=rule, tz=tz)
    if last is None:
        return None
    last = last.astimezone(JAPAN)
    # An all-day end is the next midnight; the column wants the last day itself.
    return max(start, last - timedelta(days=1)) if event.get("all_day") else last


def _date_note(event: Mapping[str, Any], start: datetime) -> str:
    notes = [_STATUS_NOTE.get(event.get("status", ""), "")]
    recurrence = event.get("recurrence")
    if recurrence and recurrence.get("rrule"):
        notes.append(describe_recurrence(recurrence["rrule"], start))
        skipped = [_japanese_date(c) for c in cancelled_starts(event)]
        if skipped:
            notes.append(f"。{'、'.join(skipped)}は休み")
    return "".join(notes)


def describe_recurrence(rule: str, starts_at: datetime) -> str:
    """An RRULE in Japanese for people: 毎週土曜日（全8回）, 毎月第2土曜日（2027年3月13日まで）."""
    parts = rule_parts(rule)
    local = starts_at.astimezone(JAPAN)
    interval = int(parts.get("INTERVAL", "1"))
    freq = parts.get("FREQ", "")
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    if freq == "DAILY":
        pattern = "毎日" if interval == 1 else f"{interval}日ごと"
    elif freq == "WEEKLY":
        codes = [d[-2:] for d in days] or [list(_WEEKDAYS)[local.weekday()]]
        prefix = {1: "毎週", 2: "隔週"}.get(interval, f"{interval}週ごとの")
        pattern = f"{prefix}{'・'.join(_WEEKDAYS[c] for c in codes)}曜日"
    elif freq == "MONTHLY":
        prefix = "毎月" if interval == 1 else f"{interval}か月ごとの"
        pattern = prefix + _monthly_days(parts, days, local)
    elif freq == "YEARLY":
        pattern = f"毎年{local.month}月{local.day}日"
    else:
        pattern = f"繰り返し（{rule}）"
    if "COUNT" in parts:
        return f"{pattern}（全{int(parts['COUNT'])}回）"
    if "UNTIL" in parts:
        return f"{pattern}（{_japanese_date(_until_in_japan(parts['UNTIL']))}まで）"
    return pattern


def _monthly_days(parts: Mapping[str, str], days: list[str], local: datetime) -> str:
    if days:
        described = []
        for token in days:
            ordinal, code = token[:-2], token[-2:]
            week = "最終" if ordinal == "-1" else f"第{int(ordinal)}" if ordinal else ""
            described.append(f"{week}{_WEEKDAYS.get(code, code)}曜日")
        return "・".join(described)
    month_days = parts.get("BYMONTHDAY", str(local.day)).split(",")
    return "・".join("末日" if d == "-1" else f"{int(d)}日" for d in month_days)


def _until_in_japan(value: str) -> datetime:
    if value.endswith("Z"):  # the normal form validate_rrule stores
        utc = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=ZoneInfo("UTC"))
        return utc.astimezone(JAPAN)
    return datetime.strptime(value[:8], "%Y%m%d")


def _japanese_date(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


def _japan(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(JAPAN) if value else None


def _prefecture(code: str) -> str:
    if len(code) >= 2 and code[:2].isdigit() and 1 <= int(code[:2]) <= len(_PREFECTURES):
        return _PREFECTURES[int(code[:2]) - 1]
    return ""


def _how_to_apply(contact: Mapping[str, Any]) -> str:
    if contact.get("url"):
        return f"ウェブサイトから（{contact['url']}）"
    if contact.get("email"):
        return f"メールで（{contact['email']}）"
    if contact.get("phone"):
        return f"電話で（{contact['phone']}）"
    return ""


def _remarks(event: Mapping[str, Any]) -> str:
    remarks = []
    if event.get("target_audience"):
        remarks.append(f"対象：{event['target_audience']}")
    if event.get("online_url"):
        remarks.append(f"オンライン参加：{event['online_url']}")
    if event.get("accessibility_notes"):
        remarks.append(f"アクセシビリティ：{event['accessibility_notes']}")
    return "\n".join(remarks)


def _number(value: float | int | None) -> str:
    return "" if value is None else str(value)


def _text(value: str) -> str:
    # A leading apostrophe makes spreadsheet software show the cell as text.
    return "'" + value if value.startswith(_FORMULA_START) else value
