"""Filings (备案): registration, approval by role, and the pre-examination eligibility check."""

import pytest

from caseflow.applicants.services import (
    applicant_approve,
    applicant_check_eligible,
    applicant_register,
    applicant_revoke,
    classification_in_fields,
)
from caseflow.errors import PermissionDenied, StateConflict, ValidationFailed

#: The fields of the Zhongshan lighting centre (procedures.md: unit profiles), written out so the
#: tests do not depend on the seed.
ZS_PROFILE = {"fields": {"ipc": ["F21", "H05B"], "locarno": ["26"]}}
HUAWEI = "914403001922038216"
OSRAM_CN = "91350100M000100Y43"

INVENTION = {"kind": "patent", "patent_type": "invention", "classification": "F21V 23/00"}


@pytest.fixture
def zs(make_unit):
    return make_unit("ZS", kind="rapid_centre", profile=ZS_PROFILE)


@pytest.fixture
def clerk(make_user, zs):
    return make_user("caseworker", zs)


@pytest.fixture
def supervisor(make_user, zs):
    return make_user("supervisor", zs)


@pytest.fixture
def approved(zs, clerk, supervisor):
    applicant = applicant_register(
        unit=zs, actor=clerk, name="中山市明辉灯饰有限公司", credit_code=HUAWEI
    )
    return applicant_approve(applicant, actor=supervisor)


def test_register_normalises_and_validates_the_code(zs, clerk):
    applicant = applicant_register(
        unit=zs, actor=clerk, name=" 明辉灯饰 ", credit_code="９１３５０１００m000100y43"
    )
    assert (applicant.name, applicant.credit_code, applicant.status) == (
        "明辉灯饰",
        OSRAM_CN,
        "pending",
    )
    with pytest.raises(ValidationFailed) as refused:
        applicant_register(unit=zs, actor=clerk, name="", credit_code="91350100M000100Y44")
    assert refused.value.fields == {
        "name": "名称不能为空 / the name is empty",
        "credit_code": "统一社会信用代码校验位不正确 / the check character is wrong",
    }
    with pytest.raises(ValidationFailed) as refused:
        applicant_register(unit=zs, actor=clerk, name="又一次", credit_code=OSRAM_CN)
    assert "已备案" in refused.value.fields["credit_code"]


def test_the_same_code_may_file_at_another_unit(zs, clerk, make_unit, make_user):
    pd = make_unit("PD", kind="protection_centre", profile={})
    applicant_register(unit=zs, actor=clerk, name="甲", credit_code=HUAWEI)
    other = applicant_register(
        unit=pd, actor=make_user("caseworker", pd), name="甲", credit_code=HUAWEI
    )
    assert other.unit_id == pd.id


def test_a_viewer_may_not_register(zs, make_user):
    with pytest.raises(PermissionDenied):
        applicant_register(unit=zs, actor=make_user("viewer", zs), name="甲", credit_code=HUAWEI)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("supervisor", True),
        ("admin", True),
        ("caseworker", False),
        ("desk_officer", False),
        ("viewer", False),
    ],
)
def test_approval_is_for_the_units_supervisor_or_an_admin(role, allowed, zs, clerk, make_user):
    applicant = applicant_register(unit=zs, actor=clerk, name="甲", credit_code=HUAWEI)
    actor = make_user(role, None if role == "admin" else zs)
    if allowed:
        applicant_approve(applicant, actor=actor)
        assert applicant.status == "approved"
        assert applicant.approved_by_id == actor.id and applicant.approved_at is not None
    else:
        with pytest.raises(PermissionDenied):
            applicant_approve(applicant, actor=actor)
        assert applicant.status == "pending"


def test_a_supervisor_of_another_unit_may_not_approve(zs, clerk, make_unit, make_user):
    applicant = applicant_register(unit=zs, actor=clerk, name="甲", credit_code=HUAWEI)
    pd = make_unit("PD", kind="protection_centre", profile={})
    with pytest.raises(PermissionDenied):
        applicant_approve(applicant, actor=make_user("supervisor", pd))


def test_approving_twice_is_a_state_conflict(approved, supervisor):
    with pytest.raises(StateConflict):
        applicant_approve(approved, actor=supervisor)


# --- eligibility ------------------------------------------------------------------------------


def test_an_approved_applicant_in_the_field_is_eligible(zs, approved):
    for right in (
        INVENTION,
        {"patent_type": "utility_model", "classification": "H05B 45/10"},
        {"patent_type": "design", "classification": "26-05"},
        {"patent_type": "design", "classification": "2605"},
    ):
        assert applicant_check_eligible(unit=zs, applicant_id=approved.id, right=right) == approved


def refusal(unit, applicant_id, right) -> dict:
    with pytest.raises(ValidationFailed) as refused:
        applicant_check_eligible(unit=unit, applicant_id=applicant_id, right=right)
    return refused.value.fields


def test_each_failed_check_refuses_with_its_reason(zs, approved, clerk, supervisor, make_unit):
    assert refusal(zs, 999999, INVENTION) == {"applicant_id": "申请人未在本单位备案 / no filing of this applicant at this unit"}
    assert refusal(zs, "abc", INVENTION) == {"applicant_id": "申请人未在本单位备案 / no filing of this applicant at this unit"}
    pending = applicant_register(unit=zs, actor=clerk, name="乙", credit_code=OSRAM_CN)
    assert refusal(zs, pending.id, INVENTION) == {"applicant_id": "申请人备案尚未审核通过 / the filing is not approved yet"}
    pd = make_unit("PD", kind="protection_centre", profile={"fields": {"ipc": ["F21"]}})
    assert refusal(pd, approved.id, INVENTION) == {"applicant_id": "申请人未在本单位备案 / no filing of this applicant at this unit"}

    ok = approved.id
    assert refusal(zs, ok, {**INVENTION, "pct": True}) == {"right.pct": "PCT申请不予快速预审 / PCT applications are not pre-examined"}
    assert refusal(zs, ok, {**INVENTION, "divisional": True}) == {
        "right.divisional": "分案申请不予快速预审 / divisional applications are not pre-examined"
    }
    assert "right.patent_type" in refusal(
        zs, ok, {"patent_type": "trademark", "classification": "F21V"}
    )
    assert "IPC" in refusal(zs, ok, {"patent_type": "invention"})["right.classification"]
    assert (
        "格式"
        in refusal(zs, ok, {"patent_type": "invention", "classification": "lamp"})[
            "right.classification"
        ]
    )
    outside = refusal(zs, ok, {"patent_type": "invention", "classification": "A61K 31/00"})
    assert outside == {
        "right.classification": "分类号 A61K 31/00 不在本中心发明预审领域内（F21、H05B）"
        " / A61K 31/00 is outside this centre's invention fields (F21, H05B)"
    }
    assert (
        "外观设计"
        in refusal(zs, ok, {"patent_type": "design", "classification": "14-03"})[
            "right.classification"
        ]
    )
    # An IPC class does not admit a design, nor a Locarno class an invention.
    assert "right.classification" in refusal(
        zs, ok, {"patent_type": "design", "classification": "F21V"}
    )

    applicant_revoke(approved, actor=supervisor)
    assert refusal(zs, ok, INVENTION) == {"applicant_id": "申请人备案已撤销 / the filing was revoked"}


def test_one_veto_is_enough_and_every_failure_is_named(zs, approved):
    fields = refusal(zs, approved.id, {**INVENTION, "pct": True, "divisional": True})
    assert set(fields) == {"right.pct", "right.divisional"}


def test_the_english_refusal_says_why_in_words():
    """An English page showed "not eligible for expedited pre-examination:
    right.classification" and "outside this centre's utility_model fields": codes, not words."""
    from caseflow.accounts.models import Unit

    zs = Unit(code="ZS", name="中山", kind="rapid_centre", profile={"fields": {"ipc": ["F21"]}})
    with pytest.raises(ValidationFailed) as refused:
        applicant_check_eligible(
            unit=zs,
            applicant_id=None,
            right={"patent_type": "utility_model", "classification": "A61K 31/00"},
        )
    english = refused.value.message_en
    assert english == (
        "not eligible for expedited pre-examination: no filing of this applicant at this unit; "
        "A61K 31/00 is outside this centre's utility model fields (F21)"
    )
    assert "right." not in english and "utility_model" not in english


def test_classification_matching():
    fields = {"ipc": ["F21", "H05B"], "locarno": ["26", "13-02"]}
    assert classification_in_fields("invention", "F21V 23/00", fields)
    assert classification_in_fields("utility_model", "ｈ０５ｂ 45/00", fields)
    assert not classification_in_fields("invention", "H05K 7/20", fields)
    assert classification_in_fields("design", "26-05", fields)
    assert classification_in_fields("design", "13.02", fields)
    assert not classification_in_fields("design", "13-03", fields)
    assert not classification_in_fields("design", "2-06", fields)
    assert not classification_in_fields("design", "26", {"locarno": []})
