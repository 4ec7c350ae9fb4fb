"""The notice kinds of notices.md, as data: title, layout family, addressee, the deadlines each
announces and the legal basis line, per workflow where a kind is shared by several procedures.

A kind that several workflows issue (``acceptance_notice`` is 受理通知书 in intake, 立案通知书 in
adjudication) keeps one template; what differs by workflow lives here, keyed
``(workflow, kind)`` with the kind alone as the fallback.
"""

#: Layout families: ``notice`` (通知书 to one addressee), ``ruling`` (裁决书, 调解书, 协议书:
#: the parties set out in full, no addressee line), ``letter`` (函 to a party or an authority).
FAMILIES = ("notice", "ruling", "letter")

#: kind → (title, family, addressee role). Titles per workflow override below.
KINDS = {
    "acceptance_notice": ("受理通知书", "notice", "complainant"),
    "rejection_notice": ("不予受理通知书", "notice", "complainant"),
    # parties.md §1: the receipt of a complaint filed online (网上投诉回执).
    "filing_receipt": ("网上投诉回执", "notice", "complainant"),
    "correction_notice": ("补正通知书", "notice", "complainant"),
    "transfer_notice": ("移送告知书", "letter", "complainant"),
    "lapse_notice": ("视为撤回通知书", "notice", "complainant"),
    "revision_notice": ("预审意见通知书", "notice", "complainant"),
    "qualification_notice": ("预审合格通知书", "notice", "complainant"),
    "disqualification_notice": ("预审不合格通知书", "notice", "complainant"),
    "answer_notice": ("答辩通知书", "notice", "respondent"),
    "hearing_notice": ("口头审理通知书", "notice", "complainant"),
    "suspension_notice": ("中止通知书", "notice", "complainant"),
    "resumption_notice": ("恢复审理通知书", "notice", "complainant"),
    # The acceptance notice promises it: 案情复杂需要延长审理期限的，另行书面通知.
    "extension_notice": ("延长审理期限通知书", "notice", "complainant"),
    "decision": ("行政裁决书", "ruling", "parties"),
    "settlement": ("调解书", "ruling", "parties"),
    "closure_notice": ("结案通知书", "notice", "complainant"),
    "withdrawal_notice": ("撤回通知书", "notice", "complainant"),
    "consent_request": ("调解意见征询函", "letter", "respondent"),
    "declination_notice": ("不予立案通知书", "notice", "complainant"),
    "agreement": ("调解协议书", "ruling", "parties"),
    "termination_notice": ("调解终止通知书", "notice", "complainant"),
    "supplement_notice": ("补充材料通知", "notice", "complainant"),
    "rectification_notice": ("整改通知书", "notice", "respondent"),
    "outcome_notice": ("处理结果通知书", "notice", "complainant"),
    # To the receiving centre or court (workflows._schema.AUTHORITY): served on no party.
    "referral_letter": ("移交函", "letter", "authority"),
    "penalty_filing_notice": ("立案告知书", "notice", "complainant"),
    "penalty_intent_notice": ("行政处罚事先告知书", "notice", "respondent"),
    "penalty_decision": ("行政处罚决定书", "ruling", "respondent"),
    "no_penalty_decision": ("不予行政处罚决定书", "ruling", "respondent"),
}

#: (workflow, kind) → title, where a workflow names a shared kind differently (procedures.md).
TITLES = {
    ("adjudication", "acceptance_notice"): "立案通知书",
    ("mediation", "acceptance_notice"): "调解受理通知书",
    ("fair_complaint", "acceptance_notice"): "投诉受理通知书",
    ("fair_complaint", "withdrawal_notice"): "撤展通知书",
    ("penalty", "hearing_notice"): "听证通知书",
    ("penalty", "declination_notice"): "不予立案告知书",
}

#: (workflow, kind) → addressee role, where it differs from the kind's default: a fair's orders
#: go to the exhibitor, an adjudication withdrawal is told to the respondent too but addressed to
#: the requester who withdrew.
ADDRESSEES = {
    ("fair_complaint", "withdrawal_notice"): "respondent",
    ("penalty", "hearing_notice"): "respondent",
}

#: Clocks that count from the party's receipt of a notice, by the notice's kind (parties.md §4):
#: each starts when its step fires and is re-timed to the date of service.
#:
#: The answer notice, the consent request and the penalty intent notice are issued by the step
#: that records the receipt (``serve``, ``consult_respondent``, ``notify_intent``: ``occurred_at``
#: is the respondent's receipt, procedures.md), so they print the due date (notices.md:
#: 请于2026年10月23日前提交答辩书); a later service that moves it asks for a correction notice,
#: as any moved deadline does. The others are served after
#: the notice is printed (by post, days later): they state the period as the law words it
#: (自收到本裁决书之日起十五日内), never a date the service would make wrong.
RECEIPT_CLOCKS = {
    "answer_notice": "answer",
    "consent_request": "consent",
    "penalty_intent_notice": "statement",
    "penalty_decision": "payment",
    "decision": "appeal",
}
#: Of ``RECEIPT_CLOCKS``, the notices whose issuing step records the party's receipt (above):
#: their clock has a date from the step on, which a later service may move.
RECEIPT_RECORDED_BY_STEP = frozenset({"answer_notice", "consent_request", "penalty_intent_notice"})

#: The clocks whose due dates a notice announces, by (workflow, kind) then kind. The text of each
#: template says what the deadline is for; this says which clock's due date fills it. Of the
#: ``RECEIPT_CLOCKS``, only those whose step records the receipt are announced (see above).
ANNOUNCED_CLOCKS = {
    ("adjudication", "acceptance_notice"): ("closing",),
    ("mediation", "acceptance_notice"): ("mediation",),
    ("fair_complaint", "answer_notice"): ("fair_answer",),
    ("fair_complaint", "withdrawal_notice"): ("compliance",),
    ("adjudication", "withdrawal_notice"): (),
    "correction_notice": ("correction",),
    "filing_receipt": ("acceptance",),
    "revision_notice": ("revision",),
    "answer_notice": ("answer",),
    "consent_request": ("consent",),
    # The last day to state a defence and ask for a hearing (行政处罚法 arts 63–64).
    "penalty_intent_notice": ("statement",),
    "qualification_notice": ("formal_filing",),
    # The resumed adjudication's closing date, moved later by the suspended span; to the
    # respondent also its answer period, when the suspension stopped it running.
    "resumption_notice": ("closing", "answer"),
    # The extended closing date.
    "extension_notice": ("closing",),
    # Not the agreement's confirmation_window: it runs from the signatures below the text
    # (人民调解法 arts 29, 33), so the agreement states the rule.
    "agreement": (),
    "rectification_notice": ("compliance",),
    "withdrawal_notice": ("compliance",),
    ("penalty", "hearing_notice"): (),
}

#: Legal basis line per workflow (legal-basis.md), with kind-specific lines where a step has its
#: own article.
LEGAL_BASIS = {
    # An infringement-handling request, the intake's default: decided within 5 working days
    # (workflows/intake.py); a SAMR-type complaint cites COMPLAINT_TYPE_BASIS instead.
    "intake": "《专利行政执法办法》",
    # No national text on pre-examination was retrieved (docs/legal-basis.md, "Not retrieved"):
    # the notices cite only the centre's own rules, never a title the register does not hold.
    "pre_exam": "本中心专利预审工作规程",
    "adjudication": "《中华人民共和国专利法》第六十五条、《专利纠纷行政裁决和调解办法》",
    "mediation": "《专利纠纷行政裁决和调解办法》《中华人民共和国人民调解法》",
    "fair_complaint": "《展会知识产权保护办法》",
    # Wrong department: the one without competence tells the complainant where to file
    # (legal-basis.md §1, SAMR Order 20 art 29), whatever the intake type.
    ("intake", "transfer_notice"): "《市场监督管理投诉举报处理暂行办法》第二十九条",
    ("mediation", "agreement"): "《中华人民共和国人民调解法》第三十一条、第三十三条",
    ("adjudication", "decision"): "《中华人民共和国专利法》第六十五条",
    "penalty": "《中华人民共和国专利法》第六十八条、《中华人民共和国行政处罚法》",
    (
        "penalty",
        "penalty_intent_notice",
    ): "《中华人民共和国行政处罚法》第四十四条、第六十三条、第六十四条",
    ("penalty", "hearing_notice"): "《中华人民共和国行政处罚法》第六十四条",
    (
        "penalty",
        "penalty_decision",
    ): "《中华人民共和国专利法》第六十八条、《中华人民共和国行政处罚法》第五十九条",
}


def _lookup(table, workflow, kind, default=None):
    if (workflow, kind) in table:
        return table[(workflow, kind)]
    return table.get(kind, default)


def kind_title(workflow: str, kind: str) -> str:
    return TITLES.get((workflow, kind)) or KINDS[kind][0]


def kind_family(kind: str) -> str:
    return KINDS[kind][1]


def kind_addressee_role(workflow: str, kind: str) -> str:
    return ADDRESSEES.get((workflow, kind)) or KINDS[kind][2]


#: Announced clocks that are one party's period: only that party's notice prints them (the
#: complainant's resumption notice does not set the respondent a date).
ONE_PARTY_CLOCKS = {"answer": "respondent", "consent": "respondent"}


def kind_announced_clocks(
    workflow: str, kind: str, addressee_role: str | None = None
) -> tuple[str, ...]:
    """The clocks a notice of ``kind`` announces; to ``addressee_role``, when given."""
    names = _lookup(ANNOUNCED_CLOCKS, workflow, kind, ())
    if addressee_role is None:
        return names
    return tuple(n for n in names if ONE_PARTY_CLOCKS.get(n, addressee_role) == addressee_role)


#: An intake's basis follows the rule its acceptance clock counts by (``data.complaint_type``,
#: the clock's variant): a notice that promises 7 working days cites the order that sets them.
COMPLAINT_TYPE_BASIS = {
    ("intake", "samr_complaint"): "《市场监督管理投诉举报处理暂行办法》",
}


def kind_legal_basis(workflow: str, kind: str, complaint_type: str | None = None) -> str:
    if (workflow, complaint_type) in COMPLAINT_TYPE_BASIS and (workflow, kind) not in LEGAL_BASIS:
        return COMPLAINT_TYPE_BASIS[(workflow, complaint_type)]
    return _lookup(LEGAL_BASIS, workflow, kind) or LEGAL_BASIS.get(workflow, "")
