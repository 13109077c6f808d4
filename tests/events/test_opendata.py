"""The open-data CSV (自治体標準オープンデータセット「イベント一覧」)."""

from __future__ import annotations

import csv
import io
from typing import Any

from services.events.opendata import OPEN_DATA_COLUMNS, events_csv

NAMES = {"102997": "桜ヶ丘市"}


def event(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "019a2b3c-6d6e-7f70-8a1b-2c3d4e5f6a70",
        "title": "こども食堂ボランティア説明会",
        "description": "説明会です。",
        "kind": "seminar",
        "organizer_ids": ["o1", "o2"],
        "organizers": [
            {"id": "o1", "name": "さくらがおかフードバンク"},
            {"id": "o2", "name": "桜ヶ丘市社会福祉協議会"},
        ],
        "starts_at": "2026-12-05T10:00:00+09:00",
        "ends_at": "2026-12-05T12:00:00+09:00",
        "all_day": False,
        "timezone": "Asia/Tokyo",
        "recurrence": None,
        "venue": {
            "name": "桜ヶ丘市民活動センター",
            "address": "群馬県桜ヶ丘市本町一丁目2番3号",
            "postal_code": "370-0801",
            "municipality_code": "102997",
            "latitude": 36.3219,
            "longitude": 139.0032,
        },
        "online_url": None,
        "municipality_code": "102997",
        "fields": ["child_development"],
        "target_audience": "どなたでも",
        "fee_jpy": 300,
        "fee_note": "材料費として",
        "capacity": 30,
        "places_taken": 0,
        "registration_deadline": "2026-12-03T08:00:00+00:00",
        "accessibility_notes": "",
        "contact": {
            "name": "桜ヶ丘市 市民協働課",
            "email": None,
            "phone": "027-000-0000",
            "url": "https://city.example.jp/kyodo",
        },
        "status": "published",
        "version": 1,
        "created_at": "2026-11-25T10:00:00+09:00",
        "updated_at": "2026-11-25T10:00:00+09:00",
    }
    return base | overrides


def export(*events: dict[str, Any]) -> bytes:
    return b"".join(events_csv(events, municipality_names=NAMES))


def rows(*events: dict[str, Any]) -> list[dict[str, str]]:
    text = export(*events).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_first_chunk_starts_with_a_bom_and_the_header():
    chunks = list(events_csv([event()]))
    assert chunks[0].startswith(b"\xef\xbb\xbf")
    assert len(chunks) == 2  # header, then one chunk per event: it streams
    header = next(csv.reader(io.StringIO(chunks[0].decode("utf-8-sig"))))
    assert tuple(header) == OPEN_DATA_COLUMNS


def test_header_order_of_the_standard():
    assert OPEN_DATA_COLUMNS[:5] == (
        "都道府県コード又は市区町村コード",
        "NO",
        "都道府県名",
        "市区町村名",
        "イベント名",
    )
    assert OPEN_DATA_COLUMNS[-2:] == ("URL", "備考")
    assert len(OPEN_DATA_COLUMNS) == len(set(OPEN_DATA_COLUMNS)) == 32


def test_records_end_with_crlf():
    data = export(event(), event(id="second"))
    assert data.count(b"\r\n") == 3
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_one_event_row():
    (row,) = rows(event())
    assert row["都道府県コード又は市区町村コード"] == "102997"
    assert row["NO"] == "019a2b3c-6d6e-7f70-8a1b-2c3d4e5f6a70"
    assert (row["都道府県名"], row["市区町村名"]) == ("群馬県", "桜ヶ丘市")
    assert (row["開始日"], row["終了日"]) == ("2026-12-05", "2026-12-05")
    assert (row["開始時間"], row["終了時間"]) == ("10:00", "12:00")
    assert (row["料金(基本)"], row["料金(詳細)"]) == ("300", "材料費として")
    assert row["主催者"] == "さくらがおかフードバンク、桜ヶ丘市社会福祉協議会"
    assert (row["連絡先名称"], row["連絡先電話番号"]) == ("桜ヶ丘市 市民協働課", "027-000-0000")
    assert (row["場所名称"], row["住所"]) == (
        "桜ヶ丘市民活動センター",
        "群馬県桜ヶ丘市本町一丁目2番3号",
    )
    assert (row["緯度"], row["経度"]) == ("36.3219", "139.0032")
    assert row["定員"] == "30"
    # Deadlines are shown in Japan time whatever offset the API was given.
    assert (row["参加申込終了日"], row["参加申込終了時間"]) == ("2026-12-03", "17:00")
    assert row["URL"] == "https://city.example.jp/kyodo"
    assert "対象：どなたでも" in row["備考"]


def test_free_and_unstated_fees():
    free, unstated = rows(event(fee_jpy=0), event(fee_jpy=None))
    assert free["料金(基本)"] == "無料"
    assert unstated["料金(基本)"] == ""


def test_japanese_text_with_commas_quotes_and_newlines_round_trips():
    tricky = '説明会です、ぜひ。\n持ち物: "名札", 上履き\r\n以上'
    (row,) = rows(event(title="夏祭り「盆踊り」, 2027", description=tricky))
    assert row["イベント名"] == "夏祭り「盆踊り」, 2027"
    assert row["説明"] == tricky


def test_formula_like_cells_are_neutralised():
    (row,) = rows(event(title='=HYPERLINK("http://evil")', contact=None))
    assert row["イベント名"] == '\'=HYPERLINK("http://evil")'


def test_all_day_event_has_dates_without_times():
    (row,) = rows(
        event(
            all_day=True, starts_at="2027-08-01T00:00:00+09:00", ends_at="2027-08-03T00:00:00+09:00"
        )
    )
    assert (row["開始日"], row["終了日"]) == ("2027-08-01", "2027-08-02")
    assert (row["開始時間"], row["終了時間"]) == ("", "")


def test_recurring_series_is_one_row_described_in_japanese():
    recurrence = {
        "rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=8",
        "cancelled_occurrences": ["2026-12-12T10:00:00+09:00"],
    }
    (row,) = rows(event(recurrence=recurrence))
    assert row["開始日時特記事項"] == "毎週土曜日（全8回）。2026年12月12日は休み"
    assert (row["開始日"], row["終了日"]) == ("2026-12-05", "2027-01-23")


def test_other_recurrence_patterns():
    second_saturday = event(
        starts_at="2026-12-12T13:00:00+09:00",
        ends_at="2026-12-12T15:00:00+09:00",
        recurrence={"rrule": "FREQ=MONTHLY;BYDAY=2SA;UNTIL=20270313T145959Z"},
    )
    fortnightly = event(recurrence={"rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA"})
    daily = event(recurrence={"rrule": "FREQ=DAILY;COUNT=3"})
    notes = [row["開始日時特記事項"] for row in rows(second_saturday, fortnightly, daily)]
    assert notes == ["毎月第2土曜日（2027年3月13日まで）", "隔週土曜日", "毎日（全3回）"]
    assert rows(fortnightly)[0]["終了日"] == ""  # an open-ended series has no end date


def test_cancelled_event_is_marked_in_the_date_note():
    (row,) = rows(event(status="cancelled"))
    assert row["開始日時特記事項"].startswith("【中止】")


def test_online_only_event_and_unknown_municipality_name():
    (row,) = rows(
        event(venue=None, online_url="https://meet.example.jp/x", municipality_code="131016")
    )
    assert row["場所名称"] == "オンライン"
    assert (row["都道府県名"], row["市区町村名"]) == ("東京都", "")
    assert "https://meet.example.jp/x" in row["備考"]
