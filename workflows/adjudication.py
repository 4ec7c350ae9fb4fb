"""Administrative adjudication of patent infringement disputes (专利侵权纠纷行政裁决).

Legal basis: Patent Law art 65 (the order to stop; suit within 15 days of receipt) [V];
专利纠纷行政裁决和调解办法 (CNIPA, in force 2025-02-01: 3 months, at most 5 months in all) [S];
专利行政执法办法 (2015) step deadlines: 5 working days to 立案, 3 or more handlers in an odd
number, 20 working days to publish [S]; 重大专利侵权纠纷行政裁决办法 (2021) art 10: serve within
5 working days, answer within 15 days, forward within 5 working days [S]; Implementing Regulations
art 98 (suspension pending invalidation) [V]. Standing: the patentee, an exclusive licensee, a sole
licensee if the patentee does not file, an ordinary licensee only if authorised [S].
"""

from workflows._schema import (
    AGREEMENT_FIELDS,
    BOTH_PARTIES,
    DECISION_FIELDS,
    PAUSE_ALL,
    REASON,
    RESUME_ALL,
    STOP_ALL,
    ClockDef,
    Field,
    Guard,
    NoticeSpec,
    Opening,
    State,
    Transition,
    cancel,
    extend,
    start,
    stop,
)

NAME = "adjudication"
CODE = "ADJ"
LABEL = "专利侵权纠纷行政裁决"

STATES = (
    #: The request (请求书) is in; the acceptance clock runs.
    State("filed", "已申请"),
    State("needs_correction", "待补正"),
    #: 立案: handlers named; the service and closing clocks run.
    State("accepted", "已立案"),
    State("rejected", "不予受理", final=True),
    #: The respondent has the request; the answer clock runs.
    State("awaiting_answer", "待答辩"),
    State("under_review", "审理中"),
    State("hearing_scheduled", "待口头审理"),
    #: 中止: every running clock is paused (invalidation, appraisal, publication, ownership).
    State("suspended", "中止"),
    #: 裁决书 issued; publication and the 15-day suit window run.
    State("decided", "已裁决"),
    State("settled", "调解结案", final=True),
    State("withdrawn", "已撤回", final=True),
    State("closed", "已结案", final=True),
)
INITIAL = "filed"

#: Started by ``case_open`` from the request's ``received_at``.
OPENING_CLOCKS = ("acceptance",)

#: A dispute: the request names the respondent (Patent Law art 65).
# Patent Law art 65: the centre adjudicates patent infringement disputes; a trademark or copyright
# complaint goes to its own authority (intake's ``transfer``).
OPENING = Opening(respondent=True, right_kinds=("patent",))

_IN_PROGRESS = ("accepted", "awaiting_answer", "under_review", "hearing_scheduled")

SUSPENSION_REASONS = (
    ("invalidation", "专利权无效宣告请求审查中"),
    ("appraisal", "鉴定"),
    ("publication", "公告"),
    ("ownership", "专利权属纠纷"),
)

TRANSITIONS = (
    Transition(
        "request_correction",
        "通知补正",
        sources=("filed",),
        dest="needs_correction",
        roles=("caseworker",),
        fields=(Field("items", "text", "需补正的内容", required=False),),
        clocks=(stop("acceptance"), start("correction")),
        notice=NoticeSpec("correction_notice", "complainant"),
    ),
    Transition(
        "submit_correction",
        "补正材料已提交",
        sources=("needs_correction",),
        dest="filed",
        roles=("caseworker",),
        # 5 working days again from the corrected request (山东 art 12 [S]).
        clocks=(stop("correction"), start("acceptance")),
        occurred_at_label="补正材料收到时间",
    ),
    Transition(
        "lapse",
        "视为撤回",
        sources=("needs_correction",),
        # Deemed withdrawn, as the correction notice warns (期满未补正的，视为撤回): correction of
        # a request, 山东省专利纠纷处理和调解办法 art 12 (P35 [S]); the consequence as the
        # intake's [U]. Not ``withdraw``: its notice says the requester applied to withdraw.
        dest="withdrawn",
        roles=("caseworker",),
        guards=(
            Guard(
                "clock_expired",
                {"clock": "correction"},
                "补正期限尚未届满，不能视为撤回",
                "the correction period has not expired yet",
            ),
        ),
        # The requester's period ran out, not the centre's: ended without counting as a breach.
        clocks=(cancel("correction"),),
        notice=NoticeSpec("lapse_notice", "complainant"),
    ),
    Transition(
        "accept",
        "立案",
        sources=("filed",),
        dest="accepted",
        roles=("caseworker",),
        guards=(
            Guard(
                "odd_count",
                {"field": "handlers", "minimum": 3},
                "合议组应由三名以上单数承办人组成",
                "name three or more handlers, an odd number",
            ),
        ),
        fields=(Field("handlers", "names", "承办人员（三人以上单数）"),),
        clocks=(
            stop("acceptance"),
            start("service"),
            start("closing"),
            start("closing_target"),
        ),
        notice=NoticeSpec("acceptance_notice", "complainant"),
    ),
    Transition(
        "reject",
        "不予受理",
        sources=("filed",),
        dest="rejected",
        roles=("caseworker",),
        fields=(REASON,),
        clocks=(stop("acceptance"),),
        notice=NoticeSpec("rejection_notice", "complainant"),
    ),
    Transition(
        "serve",
        "送达被请求人",
        sources=("accepted",),
        dest="awaiting_answer",
        roles=("caseworker",),
        # The answer period counts from the respondent's receipt, so occurred_at is that receipt.
        clocks=(stop("service"), start("answer")),
        notice=NoticeSpec("answer_notice", "respondent"),
        occurred_at_label="被请求人签收时间",
    ),
    Transition(
        "receive_answer",
        "收到答辩书",
        sources=("awaiting_answer",),
        dest="under_review",
        roles=("caseworker",),
        clocks=(stop("answer"), start("forward_answer")),
        occurred_at_label="答辩书收到时间",
    ),
    Transition(
        "proceed_without_answer",
        "未答辩，继续审理",
        sources=("awaiting_answer",),
        dest="under_review",
        roles=("caseworker",),
        # A missing answer does not stop the case, but only once its period is over.
        guards=(
            Guard(
                "clock_expired",
                {"clock": "answer"},
                "答辩期限尚未届满",
                "the answer period has not expired yet",
            ),
        ),
        clocks=(stop("answer"),),
    ),
    Transition(
        "schedule_hearing",
        "安排口头审理",
        # Again from hearing_scheduled to postpone it: a new hearing notice, with the same
        # notice period, replaces the earlier one.
        sources=("under_review", "hearing_scheduled"),
        dest="hearing_scheduled",
        roles=("caseworker",),
        guards=(
            Guard(
                "min_notice",
                {"field": "hearing_at", "period": "3 workdays"},
                "口头审理日期应在通知之日起三个工作日之后",
                "the hearing must be at least 3 working days after the notice",
            ),
        ),
        fields=(
            Field("hearing_at", "instant", "口头审理时间"),
            Field("hearing_place", "string", "口头审理地点", required=False),
        ),
        clocks=(stop("forward_answer"),),
        notice=NoticeSpec("hearing_notice", "complainant", also_to=("respondent",)),
    ),
    Transition(
        "hold_hearing",
        "口头审理已举行",
        sources=("hearing_scheduled",),
        dest="under_review",
        roles=("caseworker",),
        # Held on its day or later: recorded before it, the audit trail would be false.
        guards=(
            Guard(
                "not_before_field",
                {"field": "hearing_at"},
                "口头审理日期未到，不能登记已举行",
                "the hearing's day has not come yet",
            ),
        ),
        occurred_at_label="口头审理举行时间",
    ),
    Transition(
        "suspend",
        "中止",
        sources=_IN_PROGRESS,
        dest="suspended",
        roles=("supervisor",),
        fields=(
            Field("reason", "choice", "中止事由", choices=SUSPENSION_REASONS),
            Field("details", "text", "说明", required=False),
        ),
        # Suspension, publication and appraisal time is excluded from the closing time [U].
        clocks=(PAUSE_ALL,),
        notice=NoticeSpec("suspension_notice", "complainant", also_to=("respondent",)),
    ),
    Transition(
        "resume",
        "恢复审理",
        sources=("suspended",),
        dest=None,
        roles=("supervisor",),
        clocks=(RESUME_ALL,),
        notice=NoticeSpec("resumption_notice", "complainant", also_to=("respondent",)),
        # Back where it was suspended, not to review as procedures.md's table has it: a case
        # suspended before service or during the answer period would otherwise be stranded,
        # its resumed service or answer clock running with no step left to stop it. A case
        # suspended with a hearing scheduled goes to review: that hearing did not take place,
        # and the caseworker schedules another.
        returns_to=("under_review", "accepted", "awaiting_answer"),
    ),
    Transition(
        "extend",
        "延长审理期限",
        sources=_IN_PROGRESS,
        dest=None,
        roles=("supervisor",),
        fields=(REASON,),
        clocks=(extend("closing"),),
        # The parties are told in writing, as the acceptance notice promises.
        notice=NoticeSpec("extension_notice", "complainant", also_to=("respondent",)),
    ),
    Transition(
        "settle",
        "调解结案",
        sources=("under_review", "hearing_scheduled"),
        dest="settled",
        roles=("caseworker",),
        # The 调解书 sets out what the parties agreed (notices.md): drafted on the case first.
        fields=AGREEMENT_FIELDS,
        clocks=(STOP_ALL,),
        notice=NoticeSpec("settlement", BOTH_PARTIES),
    ),
    Transition(
        "decide",
        "作出裁决",
        sources=("under_review", "hearing_scheduled"),
        dest="decided",
        roles=("supervisor",),
        fields=(
            Field(
                "outcome",
                "choice",
                "裁决结果",
                required=False,
                choices=(("infringing", "构成侵权，责令停止"), ("not_infringing", "不构成侵权")),
            ),
            # 经审理查明, 本中心认为 and the numbered items: an appealed decision needs its
            # reasoning on paper (行政诉讼法 art 34: the authority proves its decision).
            *DECISION_FIELDS,
        ),
        # The decision settles every step window still open (a case resumed from a suspension
        # before service or the answer once went to review with them running): otherwise those
        # clocks would run on, and raise alerts, after the case is decided.
        clocks=(
            stop("service"),
            stop("answer"),
            stop("forward_answer"),
            stop("closing"),
            stop("closing_target"),
            start("publication"),
            start("appeal"),
        ),
        notice=NoticeSpec("decision", BOTH_PARTIES),
        # Infringement found: a credit record in the same transaction (credit.md).
        effects=("credit_record",),
    ),
    Transition(
        "record_publication",
        "登记公开",
        sources=("decided",),
        dest=None,
        roles=("caseworker",),
        fields=(Field("url", "string", "公开网址", required=False),),
        clocks=(stop("publication"),),
    ),
    Transition(
        "close",
        "结案",
        sources=("decided",),
        dest="closed",
        roles=("caseworker",),
        guards=(
            Guard(
                "clock_expired",
                {"clock": "appeal"},
                "起诉期限尚未届满，不能结案",
                "the period to sue has not expired yet",
            ),
            # The decision must be made public (20 workdays, 专利行政执法办法 2015 [S]) before
            # the file is closed; otherwise the publication clock could never be stopped.
            Guard(
                "clock_settled",
                {"clock": "publication"},
                "裁决书尚未登记公开，不能结案",
                "the decision has not been recorded as published yet",
            ),
        ),
        clocks=(stop("appeal"),),
        notice=NoticeSpec("closure_notice", "complainant", also_to=("respondent",)),
    ),
    Transition(
        "withdraw",
        "撤回请求",
        sources=("filed", "needs_correction", *_IN_PROGRESS, "suspended"),
        dest="withdrawn",
        roles=("caseworker",),
        fields=(Field("reason", "text", "理由", required=False),),
        clocks=(STOP_ALL,),
        notice=NoticeSpec("withdrawal_notice", "complainant"),
    ),
)

CLOCKS = (
    ClockDef(
        "acceptance",
        "立案审查期限",
        "5 workdays",
        start_basis="received_at; again from the corrected request",
        basis="专利行政执法办法(2015); 重大专利侵权纠纷行政裁决办法 art 6",
        evidence="S",
    ),
    ClockDef(
        "correction",
        "补正期限",
        "15 days",
        start_basis="the correction notice",
        basis="unit default",
        evidence="U",
        party=True,
    ),
    ClockDef(
        "service",
        "送达期限",
        "5 workdays",
        start_basis="acceptance (立案)",
        basis="重大专利侵权纠纷行政裁决办法 art 10; 上海市专利保护条例 art 20",
        evidence="S",
    ),
    ClockDef(
        "answer",
        "答辩期限",
        "15 days",
        start_basis="the respondent's receipt",
        basis="重大专利侵权纠纷行政裁决办法 art 10; 上海市专利保护条例 art 20",
        evidence="S",
        party=True,
    ),
    ClockDef(
        "forward_answer",
        "答辩书转送期限",
        "5 workdays",
        start_basis="receipt of the answer",
        basis="重大专利侵权纠纷行政裁决办法 art 10",
        evidence="S",
    ),
    ClockDef(
        "closing",
        "结案期限",
        "3 months",
        start_basis="acceptance (立案)",
        basis="专利纠纷行政裁决和调解办法(2024): 3 months, at most 5 months in all",
        evidence="S",
        extension_step="1 months",
        extension_max="2 months",
    ),
    ClockDef(
        # The unit's own promise; runs only where the profile sets it (Zhongshan: 1 month).
        "closing_target",
        "结案服务承诺",
        None,
        start_basis="acceptance (立案)",
        basis="centre service level: infringement cases within 1 month (P21, P25)",
        evidence="S",
    ),
    ClockDef(
        "publication",
        "公开期限",
        "20 workdays",
        start_basis="the decision",
        basis="专利行政执法办法(2015): published within 20 working days",
        evidence="S",
    ),
    ClockDef(
        "appeal",
        "起诉期限",
        "15 days",
        start_basis="service of the decision",
        basis="专利法 art 65: suit within 15 days of receiving the decision",
        evidence="V",
        court=True,
        # The parties' period to sue, not the centre's: its end tells the caseworker the case may
        # close, and closing after it is never the centre's lateness.
        watch=True,
    ),
)
