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
#: Limits checked while reading, so that a hostile file is refused before it costs memory or time
#: (issue 16: a 409 KB XLSX holding one 400 MB string, an 849 KB one of 19,990 × 1,400 cells).
#: A real list has three columns and short cells; a few extra columns are tolerated.
MAX_COLUMNS = 50
MAX_CELL_CHARS = 1_000
#: What an XLSX may unpack to, in all and per part: a 20,000-row list is about 5 MB unpacked.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_PART_BYTES = 25 * 1024 * 1024
#: openpyxl reads the shared strings whole even in read-only mode: they get the tightest limit.
MAX_SHARED_STRINGS_BYTES = 8 * 1024 * 1024
#: Unpacked size over packed size. Spreadsheets compress 5–20 times; bombs 1,000 times.
MAX_COMPRESSION_RATIO = 100

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
    # Optional: the exhibitor's unified social credit code, where the organiser's list has it.
    "统一社会信用代码": "credit_code",
    "信用代码": "credit_code",
    "creditcode": "credit_code",
    "credit_code": "credit_code",
    "uscc": "credit_code",
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
            fields={
                "file": "表头应包含 名称、展位号、国家或地区（或 name、booth、country）"
                " / the header needs name, booth, country"
            },
        )
    return columns


def _too_big(message_zh: str, message_en: str):
    return ValidationFailed(
        f"文件过大或结构异常：{message_zh}",
        message_en=f"file refused: {message_en}",
        fields={"file": f"{message_zh} / {message_en}"},
    )


def _rows(table) -> list[tuple[int, dict]]:
    """Numbered row dicts from an iterator of cell lists whose first non-empty row is the header.
    Rows, columns and cell lengths are counted as the rows stream in: the first row over a limit
    stops the reading."""
    rows = []
    columns = None
    for number, cells in enumerate(table, start=1):
        if len(cells) > MAX_COLUMNS:
            # Trailing empty cells (a sheet formatted to the right) are not columns.
            filled = [cell for cell in cells if cell not in (None, "")]
            if len(filled) > MAX_COLUMNS or any(c not in (None, "") for c in cells[MAX_COLUMNS:]):
                raise _too_big(f"超过{MAX_COLUMNS}列", f"more than {MAX_COLUMNS} columns")
            cells = cells[:MAX_COLUMNS]
        cells = ["" if cell is None else str(cell).strip() for cell in cells]
        if any(len(cell) > MAX_CELL_CHARS for cell in cells):
            raise _too_big(
                f"第{number}行有超过{MAX_CELL_CHARS}个字符的单元格",
                f"a cell longer than {MAX_CELL_CHARS} characters in row {number}",
            )
        if not any(cells):
            if number > MAX_ROWS * 2:  # a sheet of empty rows is as costly as a full one
                raise _too_big(f"超过{MAX_ROWS}行", f"more than {MAX_ROWS} rows")
            continue
        if columns is None:
            columns = _header_map(cells)
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationFailed(
                f"文件超过{MAX_ROWS}行",
                message_en=f"more than {MAX_ROWS} rows",
                fields={"file": f"最多{MAX_ROWS}行 / at most {MAX_ROWS} rows"},
            )
        row = {c: (cells[i] if i < len(cells) else "") for c, i in columns.items()}
        rows.append((number, row))
    if columns is None:
        raise ValidationFailed("文件为空", message_en="empty file", fields={"file": "文件为空 / empty file"})
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
                fields={"file": "无法识别的文字编码 / unknown text encoding"},
            ) from exc
    if "\x00" in text:
        raise ValidationFailed(
            "文件不是CSV文本", message_en="not a CSV text file", fields={"file": "不是CSV文本 / not CSV text"}
        )
    return _csv_rows(csv.reader(io.StringIO(text, newline="")))


def _csv_rows(reader):
    """The reader's rows; a field beyond the csv module's own limit is a cell too long."""
    try:
        yield from reader
    except csv.Error as exc:
        raise _too_big(
            f"单元格超过{MAX_CELL_CHARS}个字符或CSV格式错误", f"unreadable CSV: {exc}"
        ) from None


def xlsx_archive_check(content: bytes) -> None:
    """Refuse a zip bomb from the archive's directory, before any part is unpacked: the declared
    sizes (zipfile never reads past them) in all and per part, and the compression ratio."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ValidationFailed(
            "无法读取XLSX文件", message_en="unreadable XLSX file", fields={"file": "XLSX文件已损坏 / damaged XLSX file"}
        ) from exc
    if len(members) > 1_000:
        raise _too_big("压缩包内文件过多", "too many parts in the archive")
    unpacked = sum(member.file_size for member in members)
    biggest = max((member.file_size for member in members), default=0)
    shared = sum(m.file_size for m in members if m.filename.lower().endswith("sharedstrings.xml"))
    if unpacked > MAX_UNPACKED_BYTES or biggest > MAX_PART_BYTES or shared > MAX_SHARED_STRINGS_BYTES:
        raise _too_big(
            f"解压后 {unpacked / 1048576:.0f} MB，超过 {MAX_UNPACKED_BYTES // 1048576} MB",
            f"unpacks to {unpacked} bytes",
        )
    if unpacked > 1024 * 1024 and unpacked / max(len(content), 1) > MAX_COMPRESSION_RATIO:
        raise _too_big(
            f"压缩比 {unpacked / max(len(content), 1):.0f}:1 异常（疑似压缩炸弹）",
            f"compression ratio {unpacked / max(len(content), 1):.0f}:1",
        )


def _xlsx_table(content: bytes):
    from openpyxl import load_workbook

    xlsx_archive_check(content)
    try:
        # read_only streams the sheet row by row instead of building every cell in memory.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ValidationFailed(
            "无法读取XLSX文件", message_en="unreadable XLSX file", fields={"file": "XLSX文件已损坏 / damaged XLSX file"}
        ) from exc
    sheet = workbook.worksheets[0]
    # A stated dimension far beyond the limit is refused before any row is read.
    try:
        stated_rows, stated_columns = sheet.max_row or 0, sheet.max_column or 0
    except (ValueError, TypeError):
        stated_rows = stated_columns = 0
    if stated_rows > MAX_ROWS + 50:
        raise ValidationFailed(
            f"文件超过{MAX_ROWS}行",
            message_en=f"more than {MAX_ROWS} rows",
            fields={"file": f"最多{MAX_ROWS}行 / at most {MAX_ROWS} rows"},
        )
    if stated_columns > MAX_COLUMNS * 4:
        raise _too_big(f"超过{MAX_COLUMNS}列", f"more than {MAX_COLUMNS} columns")
    return _xlsx_rows(workbook, sheet)


def _xlsx_rows(workbook, sheet):
    try:
        yield from sheet.iter_rows(values_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ValidationFailed(
            "无法读取XLSX文件", message_en="unreadable XLSX file", fields={"file": "XLSX文件已损坏 / damaged XLSX file"}
        ) from exc
    finally:
        workbook.close()


def rows_from_upload(filename: str, content: bytes) -> list[tuple[int, dict]]:
    """``[(row_number, {"name", "booth", "country"}), …]`` from an uploaded CSV or XLSX file.

    The type is taken from the name and checked against the bytes: an XLSX is a zip archive, a CSV
    is text. Anything else is refused with a reason under ``fields["file"]``.
    """
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            "文件超过2 MB",
            message_en="file larger than 2 MB",
            fields={"file": "文件不能超过2 MB / at most 2 MB"},
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
        fields={"file": "文件类型不是CSV或XLSX / not a CSV or XLSX file"},
    )
