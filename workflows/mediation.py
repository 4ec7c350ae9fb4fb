"""Mediation of patent disputes (专利纠纷调解), also on-site people's mediation (人民调解).

Legal basis: Patent Law art 65 (damages can be mediated, not decided) [V]; Implementing
Regulations art 102 (mediable disputes) [V]; the respondent's statement within 15 days and no
mediation without consent (P13 [S]); close within 2 months, 3 for complex cases (SIPO notice, P14
[S]); People's Mediation Law arts 29–33: a written agreement binds, the parties may jointly apply
for judicial confirmation within 30 days [V].
"""

from workflows._schema import (
    AGREEMENT_FIELDS,
    BOTH_PARTIES,
    CENTRES,
    REASON,
    ClockDef,
    Field,
    Guard,
    LinkSpec,
    NoticeSpec,
    Opening,
    State,
    Transition,
    cancel,
    extend,
    start,
    stop,
)

NAME = "mediation"
CODE = "MED"
LABEL = "专利纠纷调解"

STATES = (
    State("requested", "已申请"),
    #: The respondent has the request and 15 days to consent.
    State("awaiting_consent", "征求意见中"),
    State("in_mediation", "调解中"),
    #: No consent: no mediation (不予立案).
    State("declined", "不予立案", final=True),
    #: An agreement; the 30-day window for judicial confirmation runs.
    State("agreed", "达成协议"),
    State("failed", "调解终止", final=True),
    State("confirmation_pending", "司法确认中"),
    State("confirmed", "已司法确认", final=True),
    State("confirmation_refused", "司法确认驳回", final=True),
    State("closed", "已结案", final=True),
)
INITIAL = "requested"

#: An agreement exists (reach_agreement and every state after it): only these have an agreement
#: for the court to confirm (人民调解法 art 33), so only these offer the confirmation bundle.
AGREEMENT_STATES = (
    "agreed",
    "confirmation_pending",
    "confirmed",
    "confirmation_refused",
    "closed",
)

OPENING_CLOCKS = ()

#: A dispute between two parties; a fair desk mediates on site (procedures.md, unit profiles).
OPENING = Opening(unit_kinds=(*CENTRES, "fair_desk"), respondent=True)

#: Who mediates: a centre's caseworker, or at a fair desk its officer, who mediates on site
#: (人民调解, procedures.md unit profiles); an extension stays the supervisor's approval.
_MEDIATORS = ("caseworker", "desk_officer")

#: The court's ruling (民事裁定书) number, e.g. (2026)粤2071民特123号: required to record it.
_RULING_NUMBER = Field("ruling_number", "string", "裁定书号")
#: 法院案号: often only known once the court accepts, so optional at filing and may come with the
#: ruling (procedures.md §4); the bundle's manifest and the case page show it.
_COURT_CASE_NUMBER = Field("court_case_number", "string", "法院案号", required=False)

TRANSITIONS = (
    Transition(
        "consult_respondent",
        "征询被请求人意见",
        sources=("requested",),
        dest="awaiting_consent",
        roles=_MEDIATORS,
        clocks=(start("consent"),),
        notice=NoticeSpec("consent_request", "respondent"),
        occurred_at_label="被请求人签收时间",
    ),
    Transition(
        "record_consent",
        "被请求人同意调解",
        sources=("awaiting_consent",),
        dest="in_mediation",
        roles=_MEDIATORS,
        # P13 [S] (legal-basis.md §4a): a respondent who answers after the 15 days is taken not
        # to consent (不予立案); the 调解意见征询函 tells it so. A late consent is a refusal.
        guards=(
            Guard(
                "before_clock_due",
                {"clock": "consent"},
                "逾期未答复的，视为不同意调解：请办理“被请求人不同意调解”",
                "no answer within the consent period counts as no consent: record the refusal "
                "instead",
            ),
        ),
        clocks=(stop("consent"), start("mediation")),
        notice=NoticeSpec("acceptance_notice", "complainant", also_to=("respondent",)),
    ),
    Transition(
        "record_refusal",
        "被请求人不同意调解",
        sources=("awaiting_consent",),
        dest="declined",
        roles=_MEDIATORS,
        # Why, as the notice prints it (因对方当事人…): a refusal, or silence past the period,
        # which counts as one (P13 [S]).
        fields=(
            Field(
                "reason",
                "text",
                "不予立案原因",
                required=False,
                help="接“因对方当事人”印入通知书，如：逾期未答复；不填即为“不同意调解”",
            ),
        ),
        clocks=(stop("consent"),),
        notice=NoticeSpec("declination_notice", "complainant"),
    ),
    Transition(
        "extend",
        "延长调解期限（案情复杂）",
        sources=("in_mediation",),
        dest=None,
        roles=("supervisor",),
        fields=(REASON,),
        clocks=(extend("mediation"),),
    ),
    Transition(
        "reach_agreement",
        "达成调解协议",
        sources=("in_mediation",),
        dest="agreed",
        roles=_MEDIATORS,
        fields=AGREEMENT_FIELDS,
        clocks=(stop("mediation"), start("confirmation_window")),
        notice=NoticeSpec("agreement", BOTH_PARTIES),
    ),
    Transition(
        "terminate",
        "终止调解",
        sources=("in_mediation",),
        dest="failed",
        roles=_MEDIATORS,
        fields=(
            Field("reason", "text", "终止原因", required=False),
            Field("open_adjudication", "boolean", "转行政裁决立案审查", required=False),
            Field(
                "target_unit",
                "unit",
                "接收单位（行政裁决）",
                required=False,
                help="展会投诉站现场调解转行政裁决的，选择受理的保护中心",
            ),
        ),
        clocks=(stop("mediation"),),
        notice=NoticeSpec("termination_notice", "complainant", also_to=("respondent",)),
        opens=LinkSpec(
            "mediation_failed",
            when_field="open_adjudication",
            when_values=(True,),
            workflow="adjudication",
            # A fair desk decides nothing: its on-site mediation hands the request to a centre.
            unit_field="target_unit",
            # The request for adjudication is made on termination: its periods count from it.
            received_at_step=True,
        ),
    ),
    Transition(
        "apply_confirmation",
        "申请司法确认",
        sources=("agreed",),
        dest="confirmation_pending",
        roles=_MEDIATORS,
        fields=(
            Field("court", "string", "受理法院"),
            _COURT_CASE_NUMBER,
        ),
        clocks=(stop("confirmation_window"), start("court_ruling")),
        occurred_at_label="向法院提交申请时间",
    ),
    Transition(
        "record_confirmation",
        "登记司法确认",
        sources=("confirmation_pending",),
        dest="confirmed",
        roles=_MEDIATORS,
        fields=(_RULING_NUMBER, _COURT_CASE_NUMBER),
        clocks=(cancel("court_ruling"),),
        occurred_at_label="裁定书送达时间",
    ),
    Transition(
        "record_confirmation_refusal",
        "登记司法确认驳回",
        sources=("confirmation_pending",),
        dest="confirmation_refused",
        roles=_MEDIATORS,
        fields=(
            _RULING_NUMBER,
            _COURT_CASE_NUMBER,
            Field("reason", "text", "驳回理由", required=False),
        ),
        clocks=(cancel("court_ruling"),),
        occurred_at_label="裁定书送达时间",
    ),
    Transition(
        "close",
        "结案",
        sources=("agreed",),
        dest="closed",
        roles=_MEDIATORS,
        clocks=(stop("confirmation_window"),),
    ),
)

CLOCKS = (
    ClockDef(
        "consent",
        "意见陈述期限",
        "15 days",
        start_basis="the respondent's receipt of the request",
        basis="专利纠纷调解: statement within 15 days (P13)",
        evidence="S",
        party=True,
    ),
    ClockDef(
        "mediation",
        "调解期限",
        "2 months",
        start_basis="consent (立案)",
        basis="SIPO notice: 2 months, 3 for complex cases (P14)",
        evidence="S",
        extension_step="1 months",
        extension_max="1 months",
    ),
    ClockDef(
        "confirmation_window",
        "司法确认申请期限",
        "30 days",
        start_basis="the agreement",
        basis="人民调解法 art 33; 民事诉讼法 art 205",
        evidence="V",
        party=True,
        # The parties apply to the people's court (人民调解法 art 33: 自调解协议生效之日起三十日内
        # 共同向人民法院申请司法确认; 民事诉讼法 art 205): a period kept at the court, whose
        # last day is the court's working day, never moved by the centre's own closures.
        court=True,
    ),
    ClockDef(
        # The court's clock, not ours: 3 days to accept, 15 days from acceptance to rule (+10 with
        # the president's approval). Counted from the filing, it tells the caseworker when to
        # chase the court; it is cancelled, never met or breached, when the ruling is recorded.
        "court_ruling",
        "法院司法确认期限（跟踪）",
        "15 days",
        start_basis="the application to the court (apply_confirmation)",
        basis="最高人民法院关于人民调解协议司法确认程序的若干规定(2011) arts 4–5",
        evidence="V",
        # The court's period, counted on its (national) calendar: the centre's closures never
        # move it.
        court=True,
        watch=True,
    ),
)
