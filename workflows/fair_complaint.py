"""Trade-fair on-site complaints (展会知识产权投诉).

Clocks here run in clock hours, day and night, weekends included: the fair does not stop.

Legal basis: 展会知识产权保护办法 (2006) arts 8–9 (what a complaint needs; supplement or refuse),
art 11 (transfer within 24 hours), arts 12–15 (notify the respondent, answer, decide, report after
the fair) [S]; 展会知识产权保护指引 art 14 (24-hour answer; withdraw the exhibit on no answer) [S];
repeat infringers barred from the next edition (P3 [S]); 广东省知识产权保护条例 art 31,
上海市会展业条例 art 27, 浦东若干规定 art 9 [V]. The desk refuses complaints on a right in
invalidation, a dispute already in court, or a duplicate at the same fair (``caseflow.fairs``).
"""

from workflows._schema import (
    AUTHORITY,
    BOTH_PARTIES,
    REASON,
    STOP_ALL,
    ClockDef,
    Field,
    LinkSpec,
    NoticeSpec,
    Opening,
    State,
    Transition,
    pause,
    resume,
    start,
    stop,
)

NAME = "fair_complaint"
CODE = "FAIR"
LABEL = "展会知识产权投诉"

STATES = (
    #: Lodged at the desk; the desk-review clock runs (hours).
    State("lodged", "已投诉"),
    State("needs_supplement", "待补充材料"),
    State("accepted", "已受理"),
    State("refused", "不予受理", final=True),
    #: The exhibitor has the complaint; 24 hours to answer, never past the fair's close.
    State("respondent_notified", "已通知被投诉方"),
    State("under_determination", "判定中"),
    State("not_infringing", "不构成侵权", final=True),
    State("rectification_ordered", "责令整改"),
    State("withdrawal_ordered", "责令撤展"),
    State("resolved", "已整改/已撤展", final=True),
    State("mediated", "现场调解", final=True),
    #: Handed on after (or instead of) on-site handling: an adjudication case or a court.
    State("referred", "会后移交", final=True),
)
INITIAL = "lodged"

#: Started at lodging by ``caseflow.fairs.services.fair_complaint_start_clocks`` (they need the
#: fair's ``closes_at``), not by ``case_open`` itself.
OPENING_CLOCKS = ("desk_review", "decision_by_close")

#: At a fair desk only; the exhibitor complained of is the respondent.
OPENING = Opening(unit_kinds=("fair_desk",), respondent=True)

_NON_FINAL = tuple(s.name for s in STATES if not s.final)
_AFTER_NOTICE = ("respondent_notified", "under_determination")

REFERRAL_TARGETS = (("adjudication", "行政裁决立案"), ("court", "人民法院"))

TRANSITIONS = (
    Transition(
        "request_supplement",
        "通知补充材料",
        sources=("lodged",),
        dest="needs_supplement",
        roles=("desk_officer",),
        fields=(Field("items", "text", "需补充的材料", required=False),),
        clocks=(pause("desk_review"),),
        notice=NoticeSpec("supplement_notice", "complainant"),
    ),
    Transition(
        "supplement",
        "材料已补充",
        sources=("needs_supplement",),
        dest="lodged",
        roles=("desk_officer",),
        clocks=(resume("desk_review"),),
    ),
    Transition(
        "accept",
        "受理投诉",
        sources=("lodged",),
        dest="accepted",
        roles=("desk_officer",),
        clocks=(stop("desk_review"), start("transfer")),
        notice=NoticeSpec("acceptance_notice", "complainant"),
    ),
    Transition(
        "refuse",
        "不予受理",
        # Also while the desk waits for a supplement that never comes (展会办法 art 9: without it
        # the complaint is not accepted). Art 9 sets no period and the fair's remaining hours
        # vary, so the officer judges when to stop waiting; the reason says what was missing.
        sources=("lodged", "needs_supplement"),
        dest="refused",
        roles=("desk_officer",),
        fields=(REASON,),
        # A refused complaint is finished: its desk review (running, or paused for the
        # supplement) and the fair-close deadline end here.
        clocks=(STOP_ALL,),
        notice=NoticeSpec("rejection_notice", "complainant"),
    ),
    Transition(
        "notify_respondent",
        "通知被投诉方",
        sources=("accepted",),
        dest="respondent_notified",
        roles=("desk_officer",),
        clocks=(stop("transfer"), start("fair_answer")),
        notice=NoticeSpec("answer_notice", "exhibitor"),
    ),
    Transition(
        "receive_answer",
        "收到答辩",
        sources=("respondent_notified",),
        dest="under_determination",
        roles=("desk_officer",),
        clocks=(stop("fair_answer"),),
    ),
    Transition(
        "find_not_infringing",
        "判定不构成侵权",
        sources=_AFTER_NOTICE,
        dest="not_infringing",
        roles=("desk_officer",),
        clocks=(STOP_ALL,),
        # The decision is served on both parties (展会办法 art 14): the exhibitor learns it may
        # keep exhibiting, the complainant what it may still do.
        notice=NoticeSpec("outcome_notice", "complainant", also_to=("exhibitor",)),
    ),
    Transition(
        "order_rectification",
        "责令整改",
        sources=_AFTER_NOTICE,
        dest="rectification_ordered",
        roles=("desk_officer",),
        # What must be rectified goes onto the notice (the web form asks for it and a
        # confirmation: the order cannot be taken back).
        fields=(Field("measures", "text", "整改要求", required=False, help="写明须遮盖或撤下的展品、宣传资料，将印在整改通知书上"),),
        clocks=(stop("fair_answer"), start("compliance")),
        # A decision, served on both parties (展会办法 art 14): the complainant learns what was
        # ordered and by when, in a notice of its own.
        notice=NoticeSpec("rectification_notice", "exhibitor", also_to=("complainant",)),
    ),
    Transition(
        "order_withdrawal",
        "责令撤展",
        sources=(*_AFTER_NOTICE, "rectification_ordered"),
        dest="withdrawal_ordered",
        roles=("desk_officer",),
        fields=(
            Field(
                "items",
                "text",
                "须撤展的展品及资料",
                required=False,
                help="写明须撤出的展品、宣传资料，将印在撤展通知书上",
            ),
        ),
        # From rectification_ordered the compliance clock restarts for the new order.
        clocks=(stop("fair_answer"), start("compliance")),
        notice=NoticeSpec("withdrawal_notice", "exhibitor", also_to=("complainant",)),
    ),
    Transition(
        "confirm_compliance",
        "确认已整改/已撤展",
        sources=("rectification_ordered", "withdrawal_ordered"),
        dest="resolved",
        roles=("desk_officer",),
        # The officer photographs the booth there and then; the photo joins the evidence.
        fields=(Field("evidence", "photo", "现场核查照片"),),
        clocks=(STOP_ALL,),
        # An order complied with is a finding of infringement at a fair (credit.md).
        effects=("credit_record",),
    ),
    Transition(
        "mediate",
        "现场调解成功",
        sources=_AFTER_NOTICE,
        dest="mediated",
        roles=("desk_officer",),
        # An agreement carries the terms the parties agreed (notices.md): required here as on
        # the desk's form, so no 调解协议书 is issued without them, over the API either.
        fields=(
            Field(
                "terms",
                "lines",
                "协议条款",
                drafted=True,
                help="每行一项：写明双方当场达成的协议内容，将逐条印在调解协议书上",
            ),
            Field("infringement_admitted", "boolean", "被投诉方承认侵权", required=False),
        ),
        clocks=(STOP_ALL,),
        notice=NoticeSpec("agreement", BOTH_PARTIES),
        # Mediated with infringement admitted: a credit record (credit.md).
        effects=("credit_record",),
    ),
    Transition(
        "refer",
        "移交",
        sources=_NON_FINAL,
        dest="referred",
        roles=("desk_officer",),
        fields=(
            Field("target", "choice", "移交对象", choices=REFERRAL_TARGETS),
            Field(
                "target_unit",
                "unit",
                "接收单位（行政裁决）",
                required=False,
                help="移交行政裁决时选择受理的保护中心",
            ),
            Field("reason", "text", "说明", required=False),
        ),
        clocks=(STOP_ALL,),
        # Addressed to the receiving centre or court, not to a party (nobody is served with it).
        notice=NoticeSpec("referral_letter", AUTHORITY),
        opens=LinkSpec(
            "fair_referral",
            when_field="target",
            when_values=("adjudication",),
            workflow="adjudication",
            unit_field="target_unit",
            # Transferred after the fair: the centre receives it on the referral.
            received_at_step=True,
        ),
    ),
)

CLOCKS = (
    ClockDef(
        "desk_review",
        "投诉审查时限",
        "2 hours",
        start_basis="lodging",
        basis="unit default",
        evidence="U",
    ),
    ClockDef(
        "transfer",
        "移交时限",
        "24 hours",
        start_basis="acceptance",
        basis="展会知识产权保护办法 art 11",
        evidence="S",
    ),
    ClockDef(
        "fair_answer",
        "答辩时限",
        "24 hours",
        start_basis="notice to the exhibitor",
        basis="展会知识产权保护指引 art 14; 展会办法 art 13 (set by the fair's remaining time)",
        evidence="S",
        cap="fair_close",
        party=True,
    ),
    ClockDef(
        "compliance",
        "整改/撤展时限",
        "2 hours",
        start_basis="the order",
        basis="unit default",
        evidence="U",
        party=True,
    ),
    ClockDef(
        "decision_by_close",
        "闭展前处理",
        None,
        start_basis="lodging",
        basis="展会办法 art 14: decide promptly, during the fair",
        evidence="S",
        fixed="fair_close",
    ),
    ClockDef(
        "post_fair",
        "会后处理期限",
        "15 workdays",
        start_basis="the fair's closes_at, for complaints still open",
        basis="展会办法 art 15 (promptly after the fair); 15 working days unit default",
        evidence="U",
    ),
)
