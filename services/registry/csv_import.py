"""CSV import of organisations, as municipalities publish them (UTF-8 or CP932).

Headers may be the API's field names or the Japanese column names common in
municipal open data (名称, 法人番号, 所在地 …). Every row is validated first;
one bad row fails the whole file, with each bad row reported and nothing written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from services.common.problems import FieldError, ProblemError, ValidationProblem
from services.common.vocabulary import ACTIVITY_FIELDS, KIND_SECTORS
from services.registry import repository, service
from services.registry.schemas import OrganizationCreate
from services.registry.schemas_feed import ImportReport

__all__ = ["MAX_ROWS", "OPENAPI_REQUEST_BODY", "import_organizations"]

MAX_ROWS = 10_000

_HEADER_ALIASES: dict[str, str] = {
    "名称": "name",
    "団体名": "name",
    "名称_カナ": "name_kana",
    "名称カナ": "name_kana",
    "フリガナ": "name_kana",
    "種別": "kind",
    "法人番号": "corporate_number",
    "地方公共団体コード": "municipality_code",
    "全国地方公共団体コード": "municipality_code",
    "郵便番号": "postal_code",
    "所在地": "address",
    "住所": "address",
    "緯度": "latitude",
    "経度": "longitude",
    "URL": "website",
    "ホームページ": "website",
    "メールアドレス": "email",
    "電話番号": "phone",
    "活動分野": "fields",
    "説明": "description",
    "概要": "description",
    "設立年月日": "established_on",
}
_COLUMNS = {
    "name", "name_kana", "kind", "corporate_number", "municipality_code", "postal_code",
    "address", "latitude", "longitude", "website", "email", "phone", "fields",
    "description", "established_on",
}  # fmt: skip
_KIND_ALIASES = {label: kind for kind, (label, _) in KIND_SECTORS.items()} | {
    "NPO法人": "npo_corporation",
    "特定非営利活動法人": "npo_corporation",
    "一般社団法人": "general_incorporated",
    "一般財団法人": "general_incorporated",
    "公益社団法人": "public_interest_corporation",
    "公益財団法人": "public_interest_corporation",
    "任意団体": "volunteer_group",
    "ボランティア団体": "volunteer_group",
    "町内会": "neighbourhood_association",
    "自治会": "neighbourhood_association",
    "企業": "company",
    "大学": "university",
    "行政": "government",
}
_FIELD_ALIASES = {label: field for field, (_, label) in ACTIVITY_FIELDS.items()} | {
    str(code): field for field, (code, _) in ACTIVITY_FIELDS.items()
}
_LIST_SEPARATORS = re.compile(r"[;|、,，；]")

OPENAPI_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "名称,種別,法人番号,地方公共団体コード,所在地,活動分野\n"
                "さくらがおか子ども応援団,任意団体,,102997,群馬県桜ヶ丘市本町1-2-3,13;3\n",
            }
        },
    }
}


class UnsupportedMediaType(ProblemError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


def _decode(body: bytes, content_type: str) -> str:
    match = re.search(r"charset=([\w-]+)", content_type, re.IGNORECASE)
    charset = match.group(1).lower() if match else None
    if charset in {"shift_jis", "shift-jis", "sjis", "windows-31j", "cp932"}:
        charset = "cp932"
    for encoding in [charset] if charset else ["utf-8-sig", "cp932"]:
        try:
            return body.decode(encoding).removeprefix("\ufeff")
        except (UnicodeDecodeError, LookupError):
            continue
    raise ValidationProblem(
        "The file is neither UTF-8 nor CP932 (Shift_JIS) text.",
        errors=[FieldError(field="body", message="undecodable text", code="encoding")],
    )


def _header(raw: list[str]) -> list[str]:
    names = [_HEADER_ALIASES.get(h.strip(), h.strip()) for h in raw]
    unknown = [h for h in names if h not in _COLUMNS]
    problems = [
        FieldError(field=f"row 1.{h}", message="unknown column", code="unknown_column")
        for h in unknown
    ]
    for required in ("name", "kind", "municipality_code"):
        if required not in names:
            problems.append(
                FieldError(field="row 1", message=f"missing column {required}", code="missing")
            )
    if len(set(names)) != len(names):
        problems.append(FieldError(field="row 1", message="duplicate column", code="duplicate"))
    if problems:
        raise ValidationProblem("The CSV header is not usable.", errors=problems)
    return names


def _row_values(names: list[str], cells: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, cell in zip(names, cells, strict=False):
        text = cell.strip()
        if not text:
            continue
        if name == "kind":
            text = _KIND_ALIASES.get(text, text)
        if name == "fields":
            parts = [p.strip() for p in _LIST_SEPARATORS.split(text) if p.strip()]
            values[name] = [_FIELD_ALIASES.get(p, p) for p in parts]
            continue
        values[name] = text
    return values


def _rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Data rows with their line numbers; a CSV syntax error is the file's problem, not ours."""
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise ValidationProblem(
            f"The file is not valid CSV near line {reader.line_num}: {exc}.",
            errors=[
                FieldError(field=f"row {reader.line_num}", message=str(exc), code="csv_syntax")
            ],
        ) from None


def _validate_rows(
    session: Session, text: str
) -> tuple[list[OrganizationCreate], list[FieldError]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        names = _header(next(reader))
    except StopIteration:
        raise ValidationProblem("The CSV file is empty.") from None
    items: list[OrganizationCreate] = []
    errors: list[FieldError] = []
    seen_numbers: dict[str, int] = {}
    for line, cells in _rows(reader):
        if not any(c.strip() for c in cells):
            continue
        if len(items) + len(errors) >= MAX_ROWS:
            raise ValidationProblem(f"The file has more than {MAX_ROWS} rows; split it.")
        if len(cells) > len(names):
            errors.append(FieldError(field=f"row {line}", message="too many cells", code="shape"))
            continue
        try:
            item = OrganizationCreate.model_validate(_row_values(names, cells))
        except ValidationError as exc:
            errors.extend(
                FieldError(
                    field=f"row {line}." + ".".join(str(p) for p in err["loc"])
                    if err["loc"]
                    else f"row {line}",
                    message=err["msg"],
                    code=err["type"],
                )
                for err in exc.errors()
            )
            continue
        number = item.corporate_number
        if number and (
            number in seen_numbers or repository.corporate_number_taken(session, number)
        ):
            where = f"row {seen_numbers[number]}" if number in seen_numbers else "the registry"
            errors.append(
                FieldError(
                    field=f"row {line}.corporate_number",
                    message=f"already in {where}",
                    code="duplicate",
                )
            )
            continue
        if number:
            seen_numbers[number] = line
        items.append(item)
    return items, errors


def import_organizations(
    *, session: Session, body: bytes, content_type: str, dry_run: bool
) -> ImportReport:
    """Validate every row, then create all organisations in one transaction (or none)."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in {"text/csv", "application/csv"}:
        raise UnsupportedMediaType("Send the file as text/csv (UTF-8 or CP932).")
    items, errors = _validate_rows(session, _decode(body, content_type))
    if errors:
        raise ValidationProblem(
            f"{len(errors)} problem(s) in the file; nothing was imported.", errors=errors
        )
    if dry_run:
        return ImportReport(rows=len(items), created=0, dry_run=True)
    ids = service.create_organizations(session=session, items=items)
    return ImportReport(rows=len(items), created=len(ids), dry_run=False, organization_ids=ids)
