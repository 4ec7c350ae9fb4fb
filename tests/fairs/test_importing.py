"""Reading exhibitor lists from CSV and XLSX uploads."""

import io

import pytest
from openpyxl import Workbook

from caseflow.errors import ValidationFailed
from caseflow.fairs.importing import country_normalise, name_key, rows_from_upload


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_csv_with_bom_and_chinese_headers():
    content = "名称,展位号,国家或地区\r\n中山灯饰有限公司,11.2A01,中国\r\nOsram GmbH,11.2B02,DE\r\n"
    rows = rows_from_upload("展商.csv", content.encode("utf-8-sig"))
    assert rows == [
        (2, {"name": "中山灯饰有限公司", "booth": "11.2A01", "country": "中国"}),
        (3, {"name": "Osram GmbH", "booth": "11.2B02", "country": "DE"}),
    ]


def test_csv_in_gbk_from_chinese_excel_is_read():
    content = "名称,展位号,国家或地区\n古镇灯饰厂,1A01,中国\n".encode("gb18030")
    assert rows_from_upload("list.csv", content)[0][1]["name"] == "古镇灯饰厂"


def test_xlsx_with_english_headers_in_any_order_and_blank_lines_skipped():
    content = xlsx_bytes(
        [
            ["Country", "Booth", "Name"],
            ["US", "2B01", "Acme Lighting Inc."],
            [None, None, None],
            ["HK", "2B02", "Bright Star Ltd"],
        ]
    )
    assert rows_from_upload("exhibitors.XLSX", content) == [
        (2, {"name": "Acme Lighting Inc.", "booth": "2B01", "country": "US"}),
        (4, {"name": "Bright Star Ltd", "booth": "2B02", "country": "HK"}),
    ]


@pytest.mark.parametrize(
    ("filename", "content", "reason"),
    [
        ("list.pdf", b"%PDF-1.7", "CSV或XLSX"),
        ("list.xlsx", b"name,booth,country\n", "CSV或XLSX"),  # text dressed as XLSX
        ("list.csv", xlsx_bytes([["name"]]), "CSV或XLSX"),  # a workbook dressed as CSV
        ("list.xlsx", b"PK\x03\x04not really a zip", "XLSX"),
        ("list.csv", b"name,booth\nA,1\n", "国家或地区"),
        ("list.csv", b"", "为空"),
        ("list.csv", b"x" * (2 * 1024 * 1024 + 1), "2 MB"),
    ],
)
def test_bad_files_are_refused_with_the_reason(filename, content, reason):
    with pytest.raises(ValidationFailed) as refused:
        rows_from_upload(filename, content)
    assert reason in refused.value.message
    assert "file" in refused.value.fields


def test_country_names_and_codes():
    assert (
        country_normalise("中国") == country_normalise("cn") == country_normalise("China") == "CN"
    )
    assert country_normalise("中国香港") == country_normalise("Hong Kong") == "HK"
    assert country_normalise("德国") == "DE"
    assert country_normalise("Atlantis") is None


def test_name_key_folds_width_case_and_punctuation_only():
    assert name_key("Foshan Lighting Co., Ltd.") == name_key("ＦＯＳＨＡＮ LIGHTING CO LTD")
    assert name_key("中山市（古镇）灯饰有限公司") == name_key("中山市古镇灯饰有限公司")
    assert name_key("Foshan Lighting Co., Ltd.") != name_key("Foshan Lights Co., Ltd.")
