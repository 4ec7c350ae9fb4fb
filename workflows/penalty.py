"""Administrative penalty for patent counterfeiting (假冒专利行政处罚).

Opened from an intake accepted as a penalty clue (``route = penalty_clue``: a linked case that
keeps the clue's ``received_at``, or its corrected submission) or directly by a caseworker from
an inspection.

Legal basis: Patent Law art 68 (passing off a patent: confiscation of the illegal income and a
fine of up to 5 times it, or up to 250,000 RMB where there is none or it is at most 50,000 RMB)
[V]; 行政处罚法 (2021) art 60 (decide within 90 days of 立案) [V], art 64 (a hearing on request
within 5 days of the intent notice; the hearing notice at least 7 days before it) [V], arts 61,
85 (service within 7 working days when the party is absent) [V], art 67 (pay within 15 days of
receipt) [V], art 48 (decisions with social impact are made public) [V]; 市场监督管理行政处罚
程序规定 art 18 (核查 and the 立案 decision within 15 working days of the clue, once +15) [S];
SAMR Order 45 art 9 (public within 20 working days of the decision) [V]; time for appraisal,
testing, publication and hearings is not counted in the decision period [S].
"""

from workflows._schema import (
    REASON,
    ClockDef,
    ClockEffect,
    Field,
    Guard,
    NoticeSpec,
    Opening,
    State,
    Transition,
    extend,
    pause,
    resume,
    start,
    stop,
)

NAME = "penalty"
CODE = "PEN"
LABEL = "假冒专利行政处罚"

STATES = (
    #: 线索核查: the clue is checked; the filing_decision clock runs from its receipt.
    State("clue", "线索核查"),
    State("not_filed", "不予立案", final=True),
    #: 立案: the 90-day decision clock runs.
    State("investigating", "调查取证"),
    #: 中止 for appraisal, testing, publication or identifying the right holder.
    State("suspended", "中止"),
    #: 事先告知: the respondent's 5 working days for a statement run (again after a new notice).
    State("intent_notified", "已事先告知"),
    State("hearing_requested", "听证中"),
    State("deliberation", "审查决定"),
    #: 处罚决定 issued; service, payment and publication run; a credit record is written.
    State("decided", "已处罚"),
    State("no_penalty", "不予处罚", final=True),
    State("executed", "执行完毕", final=True),
)
INITIAL = "clue"

#: Started by ``case_open`` (or the linked opening) from the clue's ``received_at``.
OPENING_CLOCKS = ("filing_decision",)

#: Opened directly only from an inspection: a reporter's clue comes as an intake routed
#: ``penalty_clue``. The respondent is the party suspected of passing off (procedures.md §6).
# Patent Law art 68: passing off a patent; a counterfeit trademark is another authority's case.
OPENING = Opening(
    complainant=False, respondent=True, channels=("inspection",), right_kinds=("patent",)
)

SUSPENSION_REASONS = (
    ("appraisal", "鉴定"),
    ("testing", "检验检测"),
    ("publication", "公告"),
    ("right_holder_identification", "权利人辨认"),
)

#: Patent Law art 68 [V]: 5 × the illegal income; 250,000 RMB where there is none or it is at
#: most 50,000 RMB. The engine's ``fine_bound`` guard reads these.
FINE_BOUND = {"multiple": 5, "ceiling": 250_000, "threshold": 50_000}

#: 浦东若干规定 art 10(2) [V]: infringing the same patent again after an effective decision,
#: 50,000–250,000 RMB where there is little or no turnover. Shown on the worksheet as guidance.
REPEAT_RANGE = (50_000, 250_000)


#: Patent Law art 68: 没收违法所得 is mandatory wherever there is illegal income; the fine is
#: discretionary ("可以并处").
_CONFISCATION_GUARD = Guard(
    "required_when",
    {"field": "confiscation", "when": "illegal_income"},
    "有违法所得的，应当没收违法所得（《专利法》第六十八条），请填写没收内容",
    "Patent Law art 68: the illegal income must be confiscated; state the confiscation",
)


def _fine_guard(field, income):
    return Guard(
        "fine_bound",
        {"fine": field, "income": income, **FINE_BOUND},
        "罚款超过《专利法》第六十八条规定的上限",
        "the fine is over the bound of Patent Law art 68",
    )


_DECISION_RUNS = ("investigating", "intent_notified", "deliberation")

TRANSITIONS = (
    Transition(
        "extend_filing",
        "延长立案审查期限",
        sources=("clue",),
        dest=None,
        roles=("supervisor",),
        fields=(REASON,),
        clocks=(extend("filing_decision"),),
    ),
    Transition(
        "file_case",
        "立案",
        sources=("clue",),
        dest="investigating",
        roles=("supervisor",),
        # 行政处罚法 art 42: penalties are enforced by at least two officers (执法人员不得少于两人).
        guards=(
            Guard(
                "min_count",
                {"field": "handlers", "minimum": 2},
                "承办人员不得少于两名（《行政处罚法》第四十二条）",
                "name at least two handlers (Administrative Penalty Law art 42)",
            ),
        ),
        fields=(Field("handlers", "names", "承办人员（两人以上）"),),
        clocks=(stop("filing_decision"), start("decision")),
        # To the reporter, when real-name (专利行政执法办法): a case found in an inspection has
        # no reporter to tell.
        notice=NoticeSpec("penalty_filing_notice", "complainant", unless_channels=("inspection",)),
    ),
    Transition(
        "decline",
        "不予立案",
        sources=("clue",),
        dest="not_filed",
        roles=("supervisor",),
        fields=(REASON,),
        clocks=(stop("filing_decision"),),
        # Told to the reporter, like the filing: an inspection's clue has no one to tell.
        notice=NoticeSpec("declination_notice", "complainant", unless_channels=("inspection",)),
    ),
    Transition(
        "suspend",
        "中止",
        sources=("investigating", "deliberation"),
        dest="suspended",
        roles=("supervisor",),
        fields=(
            Field("reason", "choice", "中止事由", choices=SUSPENSION_REASONS),
            Field("details", "text", "说明", required=False),
        ),
        # Appraisal, testing and publication time is not counted in the 90 days [S].
        clocks=(pause("decision"),),
    ),
    Transition(
        "resume",
        "恢复办理",
        sources=("suspended",),
        dest=None,
        roles=("supervisor",),
        clocks=(resume("decision"),),
        returns_to=("investigating", "deliberation"),
    ),
    Transition(
        "notify_intent",
        "事先告知",
        # Again from deliberation (重新告知): to decide more than the notice announced, or on
        # other facts, the party is told anew and has its statement and hearing period again
        # (行政处罚法 arts 44–45: 不得因陈述申辩而给予更重的处罚).
        sources=("investigating", "deliberation"),
        dest="intent_notified",
        roles=("caseworker",),
        guards=(
            # 行政处罚法 art 44: the notice states the penalty intended, of the kinds the decision
            # has; a fine of 0 is no penalty (a warning is announced as a warning).
            Guard(
                "any_of",
                {"fields": ("warning", "confiscation", "proposed_fine")},
                "请写明拟作出的处罚：警告、没收或罚款（罚款金额须大于0）",
                "state the penalty intended: a warning, a confiscation or a fine above 0",
            ),
            _fine_guard("proposed_fine", "illegal_income"),
            _CONFISCATION_GUARD,
        ),
        fields=(
            Field("warning", "boolean", "警告", required=False),
            Field("illegal_income", "amount", "违法所得（元）", required=False),
            Field("confiscation", "text", "拟没收违法所得及物品", required=False),
            Field("proposed_fine", "amount", "拟罚款金额（元）", required=False),
            Field("facts", "text", "违法事实"),
        ),
        # 行政处罚法 art 64: five (working, art 85) days from the respondent's receipt.
        clocks=(start("statement"),),
        notice=NoticeSpec("penalty_intent_notice", "respondent"),
        occurred_at_label="当事人签收事先告知书时间",
    ),
    Transition(
        "request_hearing",
        "当事人要求听证",
        # 行政处罚法 arts 63–64: the hearing is a right of its own, asked for within 5 (working)
        # days of the intent notice: a statement already given does not take it away.
        sources=("intent_notified", "deliberation"),
        dest="hearing_requested",
        roles=("caseworker",),
        guards=(
            Guard(
                "clock_running",
                {"clock": "statement", "or_ended_by": ("receive_statement",)},
                "陈述申辩期限已届满，不能再要求听证",
                "the statement period has run out: a hearing can no longer be requested",
            ),
            # 行政处罚法 art 64(2): the hearing notice at least 7 days before the hearing;
            # counted here in working days (art 85).
            Guard(
                "min_notice",
                {"field": "hearing_at", "period": "7 workdays"},
                "听证日期应在通知之日起七个工作日之后",
                "the hearing must be at least 7 working days after the notice",
            ),
        ),
        fields=(
            Field("hearing_at", "instant", "听证时间"),
            Field("hearing_place", "string", "听证地点", required=False),
        ),
        clocks=(stop("statement"), pause("decision")),
        notice=NoticeSpec("hearing_notice", "respondent"),
    ),
    Transition(
        "hold_hearing",
        "听证已举行",
        sources=("hearing_requested",),
        dest="deliberation",
        roles=("caseworker",),
        # Held on its day or later: recorded before it, the audit trail would be false and the
        # decision clock would resume early (as adjudication's hold_hearing).
        guards=(
            Guard(
                "not_before_field",
                {"field": "hearing_at"},
                "听证日期未到，不能登记已举行",
                "the hearing's day has not come yet",
            ),
        ),
        clocks=(resume("decision"),),
        occurred_at_label="听证举行时间",
    ),
    Transition(
        "receive_statement",
        "收到陈述申辩（或放弃）",
        sources=("intent_notified",),
        dest="deliberation",
        roles=("caseworker",),
        fields=(
            Field("statement", "text", "陈述申辩要点", required=False),
            # Only a waiver in writing lets the penalty be decided before the period to ask for
            # a hearing has run (行政处罚法 arts 63–64; see decide_penalty).
            Field("hearing_waived", "boolean", "当事人书面放弃听证", required=False),
        ),
        clocks=(stop("statement"),),
        occurred_at_label="陈述申辩收到时间",
    ),
    Transition(
        "proceed",
        "期满未陈述申辩，进入审查",
        sources=("intent_notified",),
        dest="deliberation",
        roles=("caseworker",),
        guards=(
            Guard(
                "clock_expired",
                {"clock": "statement"},
                "陈述申辩期限尚未届满",
                "the statement period has not run out yet",
            ),
        ),
        clocks=(stop("statement"),),
    ),
    Transition(
        "extend",
        "延长办案期限",
        sources=_DECISION_RUNS,
        dest=None,
        roles=("supervisor",),
        fields=(REASON,),
        clocks=(extend("decision"),),
    ),
    Transition(
        "decide_penalty",
        "作出处罚决定",
        sources=("deliberation",),
        dest="decided",
        roles=("supervisor",),
        guards=(
            # 行政处罚法 arts 63–64: the party may ask for a hearing within 5 working days of the
            # intent notice even after a statement; a penalty decided within them takes that
            # right away, unless the party waived the hearing in writing with its statement.
            Guard(
                "clock_expired",
                {"clock": "statement", "or_waived_by": "hearing_waived"},
                "当事人陈述申辩、要求听证的期限尚未届满，不能作出处罚决定（《行政处罚法》"
                "第六十三条、第六十四条；当事人书面放弃听证的除外）",
                "the party's period to state a defence and ask for a hearing has not run out "
                "(Administrative Penalty Law arts 63–64), unless the party waived the hearing in "
                "writing",
            ),
            _fine_guard("fine", "illegal_income"),
            # 行政处罚法 arts 44–45, 62: no heavier than the intent notice in force announced.
            Guard(
                "as_notified",
                {
                    "step": "notify_intent",
                    "at_most": {"fine": "proposed_fine"},
                    "same": {"illegal_income": "illegal_income"},
                },
                "处罚决定不得重于事先告知的内容（《行政处罚法》第四十四条、第四十五条），"
                "需要加重的，应当重新事先告知",
                "the decision may not be heavier than the intent notice announced "
                "(Administrative Penalty Law arts 44–45); notify the party again to decide more",
            ),
            _CONFISCATION_GUARD,
        ),
        fields=(
            Field("fine", "amount", "罚款（元）"),
            Field("illegal_income", "amount", "违法所得（元）", required=False),
            Field("confiscation", "text", "没收违法所得及物品", required=False),
            Field("basis", "text", "处罚依据"),
            # 行政处罚法 art 59: the decision states the facts, the reasons and the penalty; a
            # decision without them is refused (notices.md), never filled with boilerplate.
            Field("findings", "text", "认定的事实", drafted=True, help="分段书写；不含内部备注"),
            Field("reasoning", "text", "处罚的理由", drafted=True),
            Field("items", "lines", "处罚内容", drafted=True, help="每行一项，自动编号"),
            Field("warning", "boolean", "警告（不罚款）", required=False),
        ),
        clocks=(
            stop("decision"),
            start("service"),
            # 行政处罚法 art 67: a period to pay a fine; a warning alone has nothing to pay.
            start("payment", when="fine"),
            start("penalty_publication"),
        ),
        # 行政处罚法 arts 61, 85: the 7 working days to serve end with the decision's service.
        notice=NoticeSpec("penalty_decision", "respondent", stops_on_service=("service",)),
        # The credit record commits with the decision (credit.md): nothing half-written.
        effects=("credit_record",),
    ),
    Transition(
        "decide_no_penalty",
        "作出不予处罚决定",
        sources=("deliberation",),
        dest="no_penalty",
        roles=("supervisor",),
        fields=(
            REASON,
            Field("findings", "text", "认定的事实", required=False),
        ),
        clocks=(stop("decision"),),
        notice=NoticeSpec("no_penalty_decision", "respondent"),
    ),
    Transition(
        "record_payment",
        "登记缴款，执行完毕",
        sources=("decided",),
        dest="executed",
        roles=("caseworker",),
        fields=(Field("receipt", "string", "缴款凭证号", required=False),),
        # The duty to publish outlives the case: the credit record's own publication clock
        # (credit.md) tracks it from here, so the case's copy is cancelled, not left running.
        clocks=(stop("payment"), stop("service"), ClockEffect("cancel", "penalty_publication")),
        occurred_at_label="缴款时间",
    ),
)

CLOCKS = (
    ClockDef(
        "filing_decision",
        "立案审查期限",
        "15 workdays",
        start_basis="receipt of the clue (received_at)",
        basis="市场监督管理行政处罚程序规定 art 18: 15 working days, once +15",
        evidence="S",
        extension_step="15 workdays",
        extension_max="15 workdays",
    ),
    ClockDef(
        "decision",
        "办案期限",
        "90 days",
        start_basis="立案 (file_case)",
        basis="行政处罚法 art 60: 90 days from 立案; hearing, appraisal, testing, publication "
        "not counted",
        evidence="V",
        extension_step="30 days",
        extension_max="30 days",
    ),
    ClockDef(
        "statement",
        "陈述申辩期限",
        "5 workdays",
        start_basis="the respondent's receipt of the intent notice",
        basis="行政处罚法 art 64 (五日), a working-day period under art 85",
        evidence="V",
        party=True,
    ),
    ClockDef(
        "service",
        "送达期限",
        "7 workdays",
        start_basis="the decision",
        basis="行政处罚法 arts 61, 85: service within 7 working days when the party is absent",
        evidence="V",
    ),
    ClockDef(
        "payment",
        "缴纳罚款期限",
        "15 days",
        start_basis="the respondent's receipt of the decision",
        basis="行政处罚法 art 67: pay within 15 days of receipt",
        evidence="V",
        party=True,
    ),
    ClockDef(
        "penalty_publication",
        "处罚信息公示期限",
        "20 workdays",
        start_basis="the decision",
        basis="SAMR Order 45 art 9; State Council opinion (2014): public within 20 working days",
        evidence="V",
    ),
)
