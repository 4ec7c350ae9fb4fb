"""The compensation worksheet's arithmetic (Patent Law art 71) and the amount in capitals."""

from decimal import Decimal

import pytest

from caseflow.cases.compensation import compensation_compute
from caseflow.errors import ValidationFailed
from caseflow.notices.chinese import rmb_capital, rmb_figures


@pytest.mark.parametrize(
    "amount, capital",
    [
        ("500000", "人民币伍拾万元整"),
        ("100000", "人民币壹拾万元整"),
        ("100005", "人民币壹拾万零伍元整"),
        ("1234567.89", "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("30000", "人民币叁万元整"),
        ("5000000", "人民币伍佰万元整"),
        ("1.05", "人民币壹元零伍分"),
        ("10.50", "人民币壹拾元伍角整"),
        ("0.05", "人民币伍分"),
        ("100010000", "人民币壹亿零壹万元整"),
        ("105000.3", "人民币壹拾万伍仟元叁角整"),
    ],
)
def test_amounts_in_chinese_capitals(amount, capital):
    assert rmb_capital(Decimal(amount)) == capital


def test_the_figures_beside_the_capitals():
    assert rmb_figures(Decimal("500000")) == "500,000.00"


def test_actual_loss_plus_costs_to_the_fen():
    sheet = compensation_compute(
        {"basis": "actual_loss", "actual_loss": "480000.10", "costs": 19999.9}
    )
    assert sheet["amount"] == "500000.00"
    assert sheet["amount_capital"] == "人民币伍拾万元整" and sheet["amount_text"] == "500,000.00"
    assert "实际损失可以确定" in sheet["why"] and "合理开支" in sheet["why"]
    assert sheet["range"] is None


def test_licence_fee_multiple_gives_a_range():
    sheet = compensation_compute(
        {"basis": "licence_fee", "licence_fee": "100000", "licence_multiple": 3}
    )
    assert sheet["amount"] == "300000.00"
    assert sheet["range"] == ["100000.00", "500000.00"]
    assert "许可使用费的3倍" in sheet["why"]


def test_punitive_multiplies_the_amount_found_then_costs_are_added():
    sheet = compensation_compute(
        {
            "basis": "infringer_profit",
            "infringer_profit": "200000",
            "wilful": True,
            "punitive_multiple": "2.5",
            "costs": "10000",
        }
    )
    assert sheet["damages"] == "500000.00" and sheet["amount"] == "510000.00"
    assert "故意侵权且情节严重" in sheet["why"]


def test_statutory_damages_within_bounds_and_its_range():
    sheet = compensation_compute({"basis": "statutory", "statutory_amount": 30000})
    assert sheet["amount"] == "30000.00" and sheet["range"] == ["30000.00", "5000000.00"]
    assert "第七十一条第二款" in sheet["why"]


@pytest.mark.parametrize(
    "values, field",
    [
        ({"basis": "statutory", "statutory_amount": 5000000.01}, "statutory_amount"),
        ({"basis": "statutory", "statutory_amount": 29999}, "statutory_amount"),
        ({"basis": "licence_fee", "licence_fee": 1000, "licence_multiple": 6}, "licence_multiple"),
        (
            {"basis": "licence_fee", "licence_fee": 1000, "licence_multiple": 0.5},
            "licence_multiple",
        ),
        (
            {"basis": "actual_loss", "actual_loss": 1000, "wilful": True, "punitive_multiple": 5.5},
            "punitive_multiple",
        ),
        (
            {"basis": "actual_loss", "actual_loss": 1000, "punitive_multiple": 2},
            "punitive_multiple",
        ),
        (
            {
                "basis": "statutory",
                "statutory_amount": 50000,
                "wilful": True,
                "punitive_multiple": 2,
            },
            "punitive_multiple",
        ),
        ({"basis": "actual_loss", "actual_loss": "12.345"}, "actual_loss"),
        ({"basis": "actual_loss", "actual_loss": -1}, "actual_loss"),
        ({"basis": "actual_loss", "actual_loss": "NaN"}, "actual_loss"),
        ({"basis": "actual_loss"}, "actual_loss"),
        ({"basis": "actual_loss", "actual_loss": True}, "actual_loss"),
        # art 71's order: the infringer's profits cannot be used when the loss is determined.
        ({"basis": "infringer_profit", "infringer_profit": 1, "actual_loss": 2}, "basis"),
        ({"basis": "damages"}, "basis"),
        ({"basis": "actual_loss", "actual_loss": 1, "costs": "1e400"}, "costs"),
        ({"basis": "actual_loss", "actual_loss": 1, "bogus": 1}, "bogus"),
    ],
)
def test_out_of_bound_figures_are_refused_naming_the_field(values, field):
    with pytest.raises(ValidationFailed) as refused:
        compensation_compute(values)
    assert field in refused.value.fields, refused.value.fields
