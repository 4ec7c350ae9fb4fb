"""The sample notices of docs/notices/: rendered from a realistic case, each page as a 60 dpi PNG.

They are written to test-artifacts/notices/ on every run, and into docs/notices/ when
``CASEFLOW_WRITE_SAMPLES=1`` (run it after changing a template, and commit the PNGs):

    CASEFLOW_WRITE_SAMPLES=1 .venv/bin/python -m pytest tests/notices/test_samples.py -q
"""

import os
import subprocess
from pathlib import Path

import pytest

from caseflow.cases.models import Event
from caseflow.extensions import db
from tests.notices.conftest import RESPONDENT, at
from tests.notices.test_layout import long_text
from tests.notices.test_render import STEP_AT

ROOT = Path(__file__).resolve().parents[2]

DECISION = {
    "findings": "2026年1月，被请求人在其天猫网店销售“晶彩”牌LED吸顶灯，单价398元。\n"
    + long_text(3)
    + "\n上述事实有公证书、购买实物、专利证书及口头审理笔录为证",
    "reasoning": "涉案专利合法有效，应受法律保护。\n"
    "被请求人未经专利权人许可，为生产经营目的销售落入涉案专利权保护范围的产品，"
    "侵犯了请求人的专利权。被请求人关于现有技术抗辩的主张，缺乏证据支持，本中心不予采纳",
    "items": [
        "被请求人立即停止销售侵犯ZL202310123456.7号实用新型专利权的产品",
        "被请求人于本裁决书生效之日起十日内销毁库存侵权产品",
    ],
}

#: file stem → (kind, workflow, unit, clocks, data)
SAMPLES = {
    "ruling-decision": ("decision", "adjudication", "ZS", [("appeal", "15 days")], DECISION),
    "ruling-agreement": (
        "agreement",
        "mediation",
        "ZS",
        [("confirmation_window", "30 days")],
        {
            "findings": "双方就被申请人销售的灯具是否侵犯申请人专利权及赔偿数额发生争议",
            "terms": [
                "被申请人于2026年10月31日前向申请人支付赔偿金人民币伍万元（50,000.00元）",
                "被申请人立即停止销售涉案产品，并下架网店全部相关链接",
                "申请人放弃其他请求，双方就本纠纷再无争议",
            ],
        },
    ),
    "ruling-settlement": (
        "settlement",
        "adjudication",
        "PD",
        [],
        {"terms": ["被请求人赔偿请求人经济损失人民币五万元", "请求人撤回其他请求"]},
    ),
    "letter-referral_letter": ("referral_letter", "fair_complaint", "CF", [], {"target": "court"}),
    "notice-answer_notice": ("answer_notice", "adjudication", "ZS", [("answer", "15 days")], {}),
}


@pytest.mark.parametrize("stem", sorted(SAMPLES))
def test_sample_notices(stem, make_case, issue, pdf):
    kind, workflow, unit, clocks, data = SAMPLES[stem]
    case = make_case(workflow, unit=unit, respondent=RESPONDENT)
    if workflow == "adjudication":  # filed (立案) the day after the request came in
        db.session.add(
            Event(case=case, kind="transition", trigger="accept", occurred_at=at("2026-09-16 10:00"))
        )
    notice = issue(case, kind, at(STEP_AT), clocks=clocks, data=data, note="内部备注：不印")
    assert notice.status == "issued", notice.last_error
    assert "内部备注" not in pdf.text(notice)
    targets = [ROOT / "test-artifacts" / "notices"]
    if os.environ.get("CASEFLOW_WRITE_SAMPLES") == "1":
        targets.append(ROOT / "docs" / "notices")
    for target in targets:
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob(f"{stem}*.png"):
            old.unlink()
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", pdf.path(notice), str(target / stem)], check=True
        )
