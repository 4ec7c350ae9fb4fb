"""A unit's profile page (/units/<code>, caseflow/web/core.py) as its members read it: labels and
periods in words, in Chinese and in English, never the profile's keys or Python values."""

import re

from tests.support import csrf_from
from tests.web.test_english import _untranslated

RAW = (
    "full_name", "fields", "clocks", "doc_patterns", "credit", "closing_target", "grant_target",
    "small_fine_threshold", "repair_after", "1 months", "{'", "'}", "[",
)


def _text(html: str) -> str:
    main = html.split('id="main"')[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_the_unit_page_reads_as_a_supervisor_reads_it(client, people, units, login):
    login(people["supervisor"])
    page = client.get("/units/ZS")
    text = _text(page.text)
    for raw in RAW:
        assert raw not in text, (raw, text)
    assert "IPC：F21、H05B" in text and "洛迦诺分类：26" in text
    assert "结案服务承诺：1 个月" in text and "授权服务承诺：外观设计 10 个工作日" in text
    assert "较低数额罚款：低于 10,000 元" in text and "公示满 6 个月后可申请信用修复" in text
    assert "行政裁决书 中维裁字〔{year}〕第{seq}号" in text

    client.post("/lang/en", data={"csrf_token": csrf_from(page.text)})
    from flask_babel import refresh

    refresh()
    english = client.get("/units/ZS").text
    text = _text(english)
    for raw in RAW:
        assert raw not in text, (raw, text)
    assert "IPC: F21, H05B" in text and "Closing target: 1 month " in text
    assert "Grant target: Design 10 workdays" in text
    assert "A small fine is one under 10,000 RMB" in text
    profile = units["ZS"].profile
    data = [units["ZS"].name, profile["contact"], profile["address"], *profile["doc_patterns"].values()]
    assert _untranslated(english.split('id="main"')[1], data) == []
