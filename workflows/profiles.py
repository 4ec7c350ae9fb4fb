"""The seeded units' profiles, as data (``flask seed`` writes them into ``Unit.profile``).

A profile is a JSON document:

``fields``
    The unit's technical fields for pre-examination: ``ipc`` (class prefixes for inventions and
    utility models, matched against the start of the right's ``classification``) and ``locarno``
    (classes for designs, ``"26"`` matches ``26-xx``). Absent: the unit does no pre-examination.
``clocks``
    Overrides of workflow clock periods, by clock name: a period string for every variant,
    ``None`` to switch a clock off, or ``{variant: period}`` for clocks that depend on the patent
    type (``review``, ``grant_target``). Read with ``workflows._schema.clock_period``.
``extensions``
    Overrides of extension rules: ``{clock: {"step": "1 months", "max": "2 months"}}``.
``doc_patterns``
    Document-number (文号) patterns by notice kind, with ``default`` for the rest; ``{year}`` and
    ``{seq}`` are filled in, the sequence being gapless per pattern and year.
``credit``
    The credit register's settings (``workflows.credit.DEFAULTS``): ``small_fine_threshold``
    (RMB; a fine below it, or a warning, is displayed ``display_minor`` instead of ``display``),
    ``repair_after`` and ``credit_auto_publish``.
``contact``, ``address``, ``full_name``
    Printed on notices.
``review_body``, ``court``
    Optional: the administrative reconsideration body (复议机关) and the court that a penalty
    decision names as the routes of review (行政处罚法 art 59 item 5); absent, the decision keeps
    the general wording (依法申请行政复议…依法向人民法院提起行政诉讼).
"""

from workflows._schema import clock_period  # noqa: F401  (re-exported for readers of profiles)

#: Zhongshan lighting: IPC F21 (lighting), H05B (electric light sources); Locarno 26 (lighting).
ZHONGSHAN = {
    "code": "ZS",
    "name": "中山（灯饰）知识产权快速维权中心",
    "kind": "rapid_centre",
    "profile": {
        "full_name": "中山（灯饰）知识产权快速维权中心",
        "fields": {"ipc": ["F21", "H05B"], "locarno": ["26"]},
        "clocks": {
            # "Infringement can be solved within a month" (P21 [S]).
            "closing_target": "1 months",
            # Design patents granted within 10 working days (P26-like target [U]).
            "grant_target": {"design": "10 workdays"},
        },
        "doc_patterns": {
            "default": "中维通字〔{year}〕第{seq}号",
            "acceptance_notice": "中维受字〔{year}〕第{seq}号",
            "rejection_notice": "中维不受字〔{year}〕第{seq}号",
            "decision": "中维裁字〔{year}〕第{seq}号",
            "settlement": "中维调字〔{year}〕第{seq}号",
            "agreement": "中维调字〔{year}〕第{seq}号",
            "qualification_notice": "中维预字〔{year}〕第{seq}号",
            "disqualification_notice": "中维预字〔{year}〕第{seq}号",
            "revision_notice": "中维预字〔{year}〕第{seq}号",
            # 假冒专利行政处罚 (procedures.md §6): 中维罚字〔2026〕第1号.
            "penalty_filing_notice": "中维罚立字〔{year}〕第{seq}号",
            "penalty_intent_notice": "中维罚告字〔{year}〕第{seq}号",
            "penalty_decision": "中维罚字〔{year}〕第{seq}号",
            "no_penalty_decision": "中维罚字〔{year}〕第{seq}号",
        },
        # Order 45 art 13: 3 years, 3 months for a warning or a fine under 10,000 RMB [U].
        "credit": {"small_fine_threshold": 10_000, "repair_after": "6 months"},
        # The city government reviews its departments' penalties (行政复议法 art 24); patent
        # cases of Guangdong outside Shenzhen go to the Guangzhou IP Court [U].
        "review_body": "中山市人民政府",
        "court": "广州知识产权法院",
        "address": "广东省中山市古镇镇",
        "contact": "中山（灯饰）知识产权快速维权中心  地址：广东省中山市古镇镇  电话：0760-12330",
    },
}

#: Pudong: biomedicine (A61, C07, C12), high-end equipment (B23, B25), next-generation IT
#: (G06, H04) — 浦东若干规定 art 3 [V]. Its design (Locarno) classes are the same fields seen as
#: products, so that the one-week design promise works from ``seed``: 24 medical and laboratory
#: equipment (biomedicine), 08 tools and hardware and 15 machines (equipment), 14 recording,
#: telecommunication and data-processing equipment (IT). The centre's own filing guide names
#: the exact list; an admin edits it on the unit page.
PUDONG = {
    "code": "PD",
    "name": "中国（浦东）知识产权保护中心",
    "kind": "protection_centre",
    "profile": {
        "full_name": "中国（浦东）知识产权保护中心",
        "fields": {
            "ipc": ["A61", "C07", "C12", "B23", "B25", "G06", "H04"],
            "locarno": ["08", "14", "15", "24"],
        },
        "clocks": {
            # Invention about 3 months, utility model 1 month, design 1 week (P20 [S]).
            "grant_target": {
                "invention": "3 months",
                "utility_model": "1 months",
                "design": "7 days",
            },
        },
        "doc_patterns": {
            "default": "浦知保通字〔{year}〕第{seq}号",
            "acceptance_notice": "浦知保受字〔{year}〕第{seq}号",
            "decision": "浦知保裁字〔{year}〕第{seq}号",
            "settlement": "浦知保调字〔{year}〕第{seq}号",
            "agreement": "浦知保调字〔{year}〕第{seq}号",
            "qualification_notice": "浦知保预字〔{year}〕第{seq}号",
            "disqualification_notice": "浦知保预字〔{year}〕第{seq}号",
            "revision_notice": "浦知保预字〔{year}〕第{seq}号",
            "penalty_filing_notice": "浦知保罚立字〔{year}〕第{seq}号",
            "penalty_intent_notice": "浦知保罚告字〔{year}〕第{seq}号",
            "penalty_decision": "浦知保罚字〔{year}〕第{seq}号",
            "no_penalty_decision": "浦知保罚字〔{year}〕第{seq}号",
        },
        # Pudong publishes penalty records as soon as they are decided [U].
        "credit": {"small_fine_threshold": 10_000, "credit_auto_publish": False},
        "review_body": "上海市浦东新区人民政府",
        "court": "上海知识产权法院",
        "address": "上海市浦东新区",
        "contact": "中国（浦东）知识产权保护中心  地址：上海市浦东新区  电话：021-12330",
    },
}

#: The Canton Fair's complaint desk: fair clocks in hours, on-site people's mediation.
CANTON_FAIR = {
    "code": "CF",
    "name": "中国进出口商品交易会 知识产权投诉站",
    "kind": "fair_desk",
    "profile": {
        "full_name": "中国进出口商品交易会知识产权和贸易纠纷投诉接待站",
        "clocks": {},
        "doc_patterns": {
            "default": "广交投字〔{year}〕第{seq}号",
            "agreement": "广交调字〔{year}〕第{seq}号",
            "referral_letter": "广交移字〔{year}〕第{seq}号",
        },
        "address": "广州市海珠区阅江中路380号 中国进出口商品交易会展馆",
        "contact": "中国进出口商品交易会 知识产权投诉站  地址：广州市海珠区阅江中路380号",
    },
}

UNIT_PROFILES = [ZHONGSHAN, PUDONG, CANTON_FAIR]


def document_number_pattern(profile: dict, kind: str) -> str | None:
    """The 文号 pattern a unit uses for a notice kind (its ``default`` when none is specific)."""
    patterns = (profile or {}).get("doc_patterns") or {}
    return patterns.get(kind) or patterns.get("default")
