"""CSV import of organisations: UTF-8 or CP932, all rows or none."""

from __future__ import annotations

from conftest import AUTH

CSV_HEADERS = {**AUTH, "Content-Type": "text/csv"}

JAPANESE_CSV = (
    "名称,フリガナ,種別,法人番号,地方公共団体コード,所在地,活動分野\n"
    "さくらがおか子ども応援団,サクラガオカコドモオウエンダン,任意団体,,102997,群馬県桜ヶ丘市本町1-2-3,13;3\n"
    "株式会社桜ヶ丘ガス,サクラガオカガス,企業,6070001000004,102997,群馬県桜ヶ丘市駅前1-1,16\n"
)


def _names(api):
    return sorted(o["name"] for o in api.get("/v1/organizations").json()["items"])


def test_import_of_utf8_with_japanese_headers_creates_every_row(api):
    response = api.post(
        "/v1/organizations/import", content=JAPANESE_CSV.encode(), headers=CSV_HEADERS
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["created"] == 2 and len(report["organization_ids"]) == 2
    assert _names(api) == ["さくらがおか子ども応援団", "株式会社桜ヶ丘ガス"]
    kinds = {o["name"]: o["kind"] for o in api.get("/v1/organizations").json()["items"]}
    assert kinds["株式会社桜ヶ丘ガス"] == "company"
    fields = api.get("/v1/organizations", params={"q": "応援団"}).json()["items"][0]["fields"]
    assert fields == ["child_development", "community_development"]


def test_import_of_cp932_as_municipalities_publish_it(api):
    body = JAPANESE_CSV.encode("cp932")
    response = api.post("/v1/organizations/import", content=body, headers=CSV_HEADERS)
    assert response.status_code == 200, response.text
    assert len(_names(api)) == 2


def test_import_with_bom_and_api_headers(api):
    text = "name,kind,municipality_code\nテスト会,volunteer_group,102997\n"
    response = api.post(
        "/v1/organizations/import", content=("\ufeff" + text).encode(), headers=CSV_HEADERS
    )
    assert response.status_code == 200
    assert _names(api) == ["テスト会"]


def test_one_bad_row_fails_the_file_reports_each_and_writes_nothing(api):
    text = (
        "name,kind,municipality_code,corporate_number\n"
        "良い会,volunteer_group,102997,\n"
        "悪い会,spaceship,102990,\n"
        "番号違い,company,102997,1234567890123\n"
    )
    response = api.post("/v1/organizations/import", content=text.encode(), headers=CSV_HEADERS)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"row 3.kind", "row 3.municipality_code", "row 4.corporate_number"} <= fields
    assert _names(api) == []
    assert api.get("/v1/registry/changes").json()["items"] == []


def test_duplicate_corporate_numbers_within_the_file_are_reported(api):
    text = (
        "name,kind,municipality_code,corporate_number\n"
        "一社,company,102997,6070001000004\n"
        "二社,company,102997,6070001000004\n"
    )
    response = api.post("/v1/organizations/import", content=text.encode(), headers=CSV_HEADERS)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "row 3.corporate_number"


def test_dry_run_validates_without_writing(api):
    response = api.post(
        "/v1/organizations/import",
        params={"dry_run": "true"},
        content=JAPANESE_CSV.encode(),
        headers=CSV_HEADERS,
    )
    assert response.status_code == 200
    assert response.json() == {
        "rows": 2,
        "created": 0,
        "dry_run": True,
        "organization_ids": [],
        "errors": [],
    }
    assert _names(api) == []


def test_unknown_columns_and_wrong_media_type_are_refused(api):
    text = "name,kind,municipality_code,favourite_colour\nA,company,102997,red\n"
    bad_header = api.post("/v1/organizations/import", content=text.encode(), headers=CSV_HEADERS)
    assert bad_header.status_code == 422
    assert bad_header.json()["errors"][0]["field"] == "row 1.favourite_colour"
    json_body = api.post(
        "/v1/organizations/import",
        content=b"{}",
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert json_body.status_code == 415
    assert _names(api) == []
