"""Reading exhibitor lists: CSV (UTF-8, with or without BOM) or XLSX, headers in Chinese or English.

Pure functions over bytes; ``services.exhibitors_import`` validates and stores what they return.
Row numbers are the spreadsheet's (the header is row 1), so a reported "row 3" is the line the
desk officer sees when opening the file.
"""

import csv
import io
import re
import unicodedata
import zipfile
from functools import lru_cache

from caseflow.errors import ValidationFailed

#: Upload limit, also enforced by the API before the body is read.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
#: No fair lists more exhibitors than this; a bigger sheet is a mistake (or a zip bomb).
MAX_ROWS = 20_000

#: Header → column. Lower-cased, blanks dropped before the lookup.
HEADERS = {
    "名称": "name",
    "展商名称": "name",
    "参展商名称": "name",
    "企业名称": "name",
    "参展商": "name",
    "name": "name",
    "exhibitor": "name",
    "展位号": "booth",
    "展位": "booth",
    "booth": "booth",
    "boothno": "booth",
    "boothno.": "booth",
    "stand": "booth",
    "国家或地区": "country",
    "国家/地区": "country",
    "国家(地区)": "country",
    "国家（地区）": "country",
    "国家": "country",
    "地区": "country",
    "country": "country",
    "country/region": "country",
    "countryorregion": "country",
}

#: Names people write that the locale data spells differently.
COUNTRY_ALIASES = {
    "中国大陆": "CN",
    "中国内地": "CN",
    "中华人民共和国": "CN",
    "中国香港": "HK",
    "香港": "HK",
    "中国澳门": "MO",
    "澳门": "MO",
    "中国台湾": "TW",
    "台湾地区": "TW",
    "韩国": "KR",
    "南韩": "KR",
    "朝鲜": "KP",
    "英国": "GB",
    "uk": "GB",
    "usa": "US",
    "prc": "CN",
    "hongkong": "HK",
    "macau": "MO",
    "macao": "MO",
    "taiwan": "TW",
    "korea": "KR",
    "southkorea": "KR",
    "mainlandchina": "CN",
}

_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


def name_key(name: str) -> str:
    """``Foshan Lighting Co., Ltd.`` and ``ＦＯＳＨＡＮ LIGHTING CO LTD`` fold to the same key;
    nothing else is stripped, so two different companies do not merge."""
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", name or "").casefold())


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


@lru_cache(maxsize=1)
def _country_names() -> dict:
    from babel import Locale

    names = {}
    for locale in ("en", "zh"):
        for code, label in Locale.parse(locale).territories.items():
            if re.fullmatch(r"[A-Z]{2}", code):
                names[_fold(label)] = code
                names[_fold(code)] = code
    names.update({_fold(alias): code for alias, code in COUNTRY_ALIASES.items()})
    return names


def country_normalise(text) -> str | None:
    """The ISO 3166-1 alpha-2 code for ``CN``, ``cn``, ``中国``, ``China``, ``中国香港``…; None if
    unknown."""
    return _country_names().get(_fold(str(text or "")))


def _header_map(header: list) -> dict:
    columns = {}
    for index, label in enumerate(header):
        column = HEADERS.get(_fold(str(label or "")))
        if column and column not in columns:
            columns[column] = index
    missing = [c for c in ("name", "booth", "country") if c not in columns]
    if missing:
        labels = {"name": "名称/name", "booth": "展位号/booth", "country": "国家或地区/country"}
        raise ValidationFailed(
            "文件缺少必需的列：" + "、".join(labels[c] for c in missing),
            message_en="missing columns: " + ", ".join(missing),
            fields={"file": "表头应包含 名称、展位号、国家或地区（或 name、booth、country）"},
        )
    return columns


def _rows(table) -> list[tuple[int, dict]]:
    """Numbered row dicts from an iterator of cell lists whose first non-empty row is the header."""
    rows = []
    columns = None
    for number, cells in enumerate(table, start=1):
        cells = ["" if cell is None else str(cell).strip() for cell in cells]
        if not any(cells):
            continue
        if columns is None:
            columns = _header_map(cells)
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationFailed(
                f"文件超过{MAX_ROWS}行",
                message_en=f"more than {MAX_ROWS} rows",
                fields={"file": f"最多{MAX_ROWS}行"},
            )
        row = {c: (cells[i] if i < len(cells) else "") for c, i in columns.items()}
        rows.append((number, row))
    if columns is None:
        raise ValidationFailed("文件为空", message_en="empty file", fields={"file": "文件为空"})
    return rows


def _csv_table(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on a Chinese Windows saves "CSV" in GBK unless told otherwise.
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ValidationFailed(
                "CSV文件应为UTF-8编码",
                message_en="CSV must be UTF-8",
                fields={"file": "无法识别的文字编码"},
            ) from exc
    if "\x00" in text:
        raise ValidationFailed(
            "文件不是CSV文本", message_en="not a CSV text file", fields={"file": "不是CSV文本"}
        )
    return csv.reader(io.StringIO(text, newline=""))


def _xlsx_table(content: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationFailed(
            "无法读取XLSX文件", message_en="unreadable XLSX file", fields={"file": "XLSX文件已损坏"}
        ) from exc
    sheet = workbook.worksheets[0]
    # A stated dimension far beyond the limit is refused before any row is read.
    if (sheet.max_row or 0) > MAX_ROWS + 50:
        raise ValidationFailed(
            f"文件超过{MAX_ROWS}行",
            message_en=f"more than {MAX_ROWS} rows",
            fields={"file": f"最多{MAX_ROWS}行"},
        )
    return sheet.iter_rows(values_only=True)


def rows_from_upload(filename: str, content: bytes) -> list[tuple[int, dict]]:
    """``[(row_number, {"name", "booth", "country"}), …]`` from an uploaded CSV or XLSX file.

    The type is taken from the name and checked against the bytes: an XLSX is a zip archive, a CSV
    is text. Anything else is refused with a reason under ``fields["file"]``.
    """
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            "文件超过2 MB", message_en="file larger than 2 MB", fields={"file": "文件不能超过2 MB"}
        )
    suffix = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    is_zip = content[:4] == b"PK\x03\x04"
    if suffix == "xlsx" and is_zip:
        return _rows(_xlsx_table(content))
    if suffix in ("csv", "txt") and not is_zip:
        return _rows(_csv_table(content))
    raise ValidationFailed(
        "只接受CSV或XLSX文件",
        message_en="only CSV or XLSX files are accepted",
        fields={"file": "文件类型不是CSV或XLSX"},
    )
