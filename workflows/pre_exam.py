"""Expedited patent pre-examination (专利快速预审) at a protection centre.

Only an applicant with an approved filing (备案) at the unit may request it; PCT and divisional
applications are not eligible, and the classification must be in the unit's fields (IPC prefixes
for inventions and utility models, Locarno classes for designs). One failed check vetoes (一票否决).
The eligibility check runs when the case is opened (``caseflow.applicants``), not here.

Legal basis: no national text on the centre's own time limits was found, so every clock here is a
per-unit default [U]. Grant cycles after pre-exam are service levels published by centres:
invention about 3 months, utility model about 1 month, design about 7 days (P23, P24 [S]);
Pudong figures (P20 [S]); 上海市浦东新区建立高水平知识产权保护制度若干规定 art 3 fields [V].
"""

from workflows._schema import (
    REASON,
    STOP_ALL,
    ClockDef,
    Field,
    NoticeSpec,
    Opening,
    State,
    Transition,
    cancel,
    pause,
    resume,
    start,
    stop,
)

NAME = "pre_exam"
CODE = "PRE"
LABEL = "专利快速预审"

STATES = (
    #: Submitted by a filed (备案) applicant; the review clock runs.
    State("requested", "已提交"),
    State("under_review", "预审中"),
    #: Waiting for the applicant's revised documents; the review clock is paused.
    State("revision_requested", "待修改"),
    #: Qualified; the applicant must now file formally at CNIPA.
    State("qualified", "预审合格"),
    State("not_qualified", "预审不合格", final=True),
    State("filed_at_cnipa", "已正式递交"),
    State("granted", "已授权", final=True),
    State("refused", "已驳回", final=True),
    State("withdrawn", "已撤回", final=True),
)
INITIAL = "requested"

#: Started by ``case_open`` from the request's ``received_at``.
OPENING_CLOCKS = ("review", "grant_target")

#: At a centre with pre-examination fields; the requester is the filed applicant.
OPENING = Opening(profile_key="fields", complainant=False)

_NON_FINAL = tuple(s.name for s in STATES if not s.final)

TRANSITIONS = (
    Transition(
        "start_review",
        "开始预审",
        sources=("requested",),
        dest="under_review",
        roles=("caseworker",),
    ),
    Transition(
        "request_revision",
        "发出预审意见",
        sources=("under_review",),
        dest="revision_requested",
        roles=("caseworker",),
        fields=(Field("opinion", "text", "预审意见", required=False),),
        # The applicant's time does not count against the centre's review time.
        clocks=(pause("review"), start("revision")),
        notice=NoticeSpec("revision_notice", "applicant"),
    ),
    Transition(
        "submit_revision",
        "修改文件已提交",
        sources=("revision_requested",),
        dest="under_review",
        roles=("caseworker",),
        clocks=(stop("revision"), resume("review")),
        occurred_at_label="修改文件收到时间",
    ),
    Transition(
        "qualify",
        "预审合格",
        sources=("under_review",),
        dest="qualified",
        roles=("caseworker",),
        clocks=(stop("review"), start("formal_filing")),
        notice=NoticeSpec("qualification_notice", "applicant"),
    ),
    Transition(
        "disqualify",
        "预审不合格",
        sources=("requested", "under_review"),
        dest="not_qualified",
        roles=("caseworker",),
        fields=(REASON,),
        # Never granted, so the grant promise was neither met nor missed: cancelled, not stopped
        # (stopped, the statistics would count it met). Only the grant settles it.
        clocks=(stop("review"), cancel("grant_target")),
        notice=NoticeSpec("disqualification_notice", "applicant"),
    ),
    Transition(
        "record_filing",
        "登记正式递交",
        sources=("qualified",),
        dest="filed_at_cnipa",
        roles=("caseworker",),
        fields=(Field("application_number", "application_number", "申请号"),),
        clocks=(stop("formal_filing"),),
        occurred_at_label="正式递交日",
    ),
    Transition(
        "record_grant",
        "登记授权",
        sources=("filed_at_cnipa",),
        dest="granted",
        roles=("caseworker",),
        fields=(Field("patent_number", "patent_number", "专利号", required=False),),
        clocks=(stop("grant_target"),),
        # The granted patent is the case's right from then on (its notices and the credit
        # register name the right by right.number).
        effects=("right_number",),
        occurred_at_label="授权公告日",
    ),
    Transition(
        "record_refusal",
        "登记驳回",
        sources=("filed_at_cnipa",),
        dest="refused",
        roles=("caseworker",),
        clocks=(cancel("grant_target"),),
    ),
    Transition(
        "withdraw",
        "撤回",
        sources=_NON_FINAL,
        dest="withdrawn",
        roles=("caseworker",),
        fields=(Field("reason", "text", "理由", required=False),),
        # The grant promise first (cancelled, as above), then the centre's own steps end.
        clocks=(cancel("grant_target"), STOP_ALL),
    ),
)

CLOCKS = (
    ClockDef(
        "review",
        "预审期限",
        "10 workdays",
        start_basis="received_at",
        basis="per-unit configuration; no national time limit found",
        evidence="U",
        variant_key="patent_type",
        variants={
            "invention": "10 workdays",
            "utility_model": "5 workdays",
            "design": "2 workdays",
        },
    ),
    ClockDef(
        "revision",
        "修改答复期限",
        "5 workdays",
        start_basis="the revision notice",
        basis="unit default",
        evidence="U",
        party=True,
    ),
    ClockDef(
        "formal_filing",
        "正式递交期限",
        "10 workdays",
        start_basis="the qualification notice",
        basis="set in the qualification notice (P23 [S]); length unit default",
        evidence="U",
        party=True,
    ),
    ClockDef(
        # The unit's service promise; it runs only where the unit's profile sets it.
        "grant_target",
        "授权服务承诺",
        None,
        start_basis="received_at",
        basis="centre service level: invention about 3 months, utility model 1 month, design "
        "7 days (P20, P23, P24)",
        evidence="S",
        variant_key="patent_type",
    ),
)
