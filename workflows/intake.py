"""Complaint and report intake (举报投诉受理).

The front door for every channel that is not a formal adjudication request: reports of
counterfeiting (假冒专利), tips, complaints, consultations.

Legal basis: 市场监督管理投诉举报处理暂行办法 (SAMR Order 20, amended 2022): art 8 channels,
art 9 particulars of a phone or walk-in intake, art 14 accept or reject a complaint within
7 working days [V], art 29 wrong department, art 31 real-name reporters are told the decision [V].
Infringement-handling requests: decide within 5 working days of receipt (专利行政执法办法 2015
[S]; 上海市专利保护条例 art 19 [V]); correction restarts that clock (山东 art 12 [S]).

A report in writing (web, email, SMS, WeChat, letter) may be anonymous: it is registered without
the reporter's name, no notice is written to an unnamed reporter (art 31), and it may become a
penalty clue but never an adjudication or a mediation, which are a named party's requests.
"""

from workflows._schema import (
    REASON,
    ClockDef,
    Field,
    Guard,
    LinkSpec,
    NoticeSpec,
    Opening,
    State,
    Transition,
    start,
    stop,
)

NAME = "intake"
CODE = "INT"
LABEL = "举报投诉受理"

CHANNELS = (
    ("hotline_12345", "12345热线"),
    ("hotline_12330", "12330热线"),
    ("web", "网站"),
    ("email", "电子邮件"),
    ("sms", "短信"),
    ("wechat", "微信"),
    ("walk_in", "窗口来访"),
    ("letter", "信函"),
    ("fair_desk", "展会投诉站"),
    #: Found in an inspection: a penalty case may be opened directly (procedures.md §6).
    ("inspection", "执法检查"),
)

STATES = (
    #: Registered at the window or from a channel; the acceptance clock runs.
    State("received", "已接收"),
    #: Waiting for the complainant to complete the file.
    State("needs_correction", "待补正"),
    #: Accepted; routed to adjudication, mediation or a penalty clue.
    State("accepted", "已受理", final=True),
    State("rejected", "不予受理", final=True),
    #: Sent to the competent department (SAMR Order 20 art 29).
    State("transferred", "已移送", final=True),
    #: A consultation, answered.
    State("answered", "已答复(咨询)", final=True),
)
INITIAL = "received"

#: Started by ``case_open`` from the case's ``received_at``.
OPENING_CLOCKS = ("acceptance",)

#: ``data.complaint_type`` picks the acceptance period (SAMR Order 20 art 14 [V]).
COMPLAINT_TYPES = (
    ("infringement", "侵权纠纷处理请求"),
    ("samr_complaint", "市场监管投诉举报"),
)
OPENING = Opening(
    # A report (举报) may be anonymous: SAMR Order 20 art 31 tells only a real-name reporter the
    # decision. A phone or walk-in intake records the name (art 9), and so does a fair desk.
    anonymous_channels=("web", "email", "sms", "wechat", "letter"),
    data_fields=(
        Field("complaint_type", "choice", "投诉类型", required=False, choices=COMPLAINT_TYPES),
    ),
)

ROUTES = (
    ("adjudication", "行政裁决"),
    ("mediation", "调解"),
    ("penalty_clue", "行政处罚线索"),
)
DEPARTMENTS = (
    ("market_regulation", "市场监督管理部门"),
    ("copyright", "版权管理部门"),
    ("police", "公安机关"),
    ("customs", "海关"),
    ("court", "人民法院"),
    ("another_centre", "其他保护中心"),
)

TRANSITIONS = (
    Transition(
        "request_correction",
        "通知补正",
        sources=("received",),
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
        dest="received",
        roles=("caseworker",),
        # The acceptance clock counts again in full from the corrected submission.
        clocks=(stop("correction"), start("acceptance")),
        occurred_at_label="补正材料收到时间",
    ),
    Transition(
        "accept",
        "受理",
        sources=("received",),
        dest="accepted",
        roles=("caseworker",),
        fields=(Field("route", "choice", "处理途径", choices=ROUTES),),
        clocks=(stop("acceptance"),),
        notice=NoticeSpec("acceptance_notice", "complainant"),
        opens=LinkSpec(
            "route",
            when_field="route",
            when_values=("adjudication", "mediation", "penalty_clue"),
            workflow_field="route",
            # A clue opens a penalty case in 线索核查, keeping the clue's received_at (or, once
            # corrected, its corrected submission: cases.services._request_complete_at).
            workflow_of={"penalty_clue": "penalty"},
        ),
    ),
    Transition(
        "reject",
        "不予受理",
        sources=("received",),
        dest="rejected",
        roles=("caseworker",),
        fields=(REASON,),
        clocks=(stop("acceptance"),),
        notice=NoticeSpec("rejection_notice", "complainant"),
    ),
    Transition(
        "transfer",
        "移送",
        sources=("received",),
        dest="transferred",
        roles=("caseworker",),
        fields=(
            Field("department", "choice", "移送部门", choices=DEPARTMENTS),
            Field("department_name", "string", "接收单位名称", required=False),
        ),
        clocks=(stop("acceptance"),),
        notice=NoticeSpec("transfer_notice", "complainant"),
    ),
    Transition(
        "answer",
        "答复咨询",
        sources=("received",),
        dest="answered",
        roles=("caseworker",),
        fields=(Field("answer", "text", "答复内容", required=False),),
        clocks=(stop("acceptance"),),
    ),
    Transition(
        "lapse",
        "视为撤回",
        sources=("needs_correction",),
        dest="rejected",
        roles=("caseworker",),
        guards=(
            Guard(
                "clock_expired",
                {"clock": "correction"},
                "补正期限尚未届满，不能视为撤回",
                "the correction period has not expired yet",
            ),
        ),
        # The correction window ran out (the guard says so): it is settled here, not left open.
        clocks=(stop("correction"),),
        notice=NoticeSpec("lapse_notice", "complainant"),
    ),
)

CLOCKS = (
    ClockDef(
        "acceptance",
        "受理期限",
        "5 workdays",
        start_basis="received_at; again from the corrected submission",
        basis="专利行政执法办法(2015) 5 working days [S]; SAMR Order 20 art 14: 7 working days "
        "for SAMR-type complaints [V]",
        evidence="S",
        variant_key="complaint_type",
        variants={"samr_complaint": "7 workdays"},
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
)
