"""Demo cases for ``flask --app wsgi seed --demo``: a few cases per unit at different stages, so
that a first look shows running, due-soon and overdue clocks, notices and a live trade fair.

Everything goes through the real services and the engine (no row is written by hand), back-dated
with ``occurred_at`` so the clocks count from realistic moments. Idempotent: nothing is added when
the demo units already have cases.
"""

import logging
from datetime import timedelta

from sqlalchemy import func, select

from caseflow.accounts.models import Unit, User
from caseflow.cases.models import Case
from caseflow.extensions import db
from caseflow.timeutil import utcnow

log = logging.getLogger(__name__)

#: A valid unified social credit code (GB 32100-2015 check character included) for the demo
#: applicant at Pudong.
DEMO_CREDIT_CODE = "91310115MA1K3YJ12G"


def _user(username: str) -> User:
    return db.session.scalar(select(User).filter_by(username=username))


def _unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).filter_by(code=code))


def _party(name, kind="company", country="CN", contact=""):
    return {"name": name, "kind": kind, "country": country, "contact": contact}


def demo_cases_create() -> int:
    """Open the demo cases; returns how many were opened (0 when they exist already)."""
    from caseflow.cases.services import case_assign, case_open
    from caseflow.engine import case_fire

    units = {code: _unit(code) for code in ("ZS", "PD", "CF")}
    if None in units.values():
        return 0
    existing = db.session.scalar(
        select(func.count())
        .select_from(Case)
        .where(Case.unit_id.in_([u.id for u in units.values()]))
    )
    if existing:
        return 0
    now = utcnow()
    zs_worker, zs_chief = _user("zs_caseworker"), _user("zs_supervisor")
    pd_worker, pd_chief = _user("pd_caseworker"), _user("pd_supervisor")
    desk, desk_chief = _user("cf_desk"), _user("cf_supervisor")
    opened = []

    def fire(case, trigger, actor, ago, **kwargs):
        case_fire(case, trigger, actor, occurred_at=now - ago, render_notices=False, **kwargs)

    # Zhongshan lighting centre: adjudication at three stages, and the intake desk.
    design = {
        "kind": "patent",
        "number": "ZL202430123456.7",
        "patent_type": "design",
        "classification": "26-05",
    }
    served = case_open(
        workflow="adjudication",
        unit=units["ZS"],
        actor=zs_worker,
        title="吸顶灯外观设计专利侵权纠纷",
        channel="walk_in",
        received_at=now - timedelta(days=20),
        complainant=_party("中山市明辉灯饰有限公司", contact="0760-22345678"),
        respondent=_party("古镇华彩照明电器厂", contact="0760-28765432"),
        right=design,
    )
    fire(
        served,
        "accept",
        zs_worker,
        timedelta(days=17),
        data={"handlers": ["李承办", "黄审理", "吴审理"]},
    )
    fire(served, "serve", zs_worker, timedelta(days=12), note="被请求人已签收")
    case_assign(served, assignee=zs_worker, actor=zs_chief)
    opened.append(served)

    late = case_open(
        workflow="adjudication",
        unit=units["ZS"],
        actor=zs_worker,
        title="LED 筒灯实用新型专利侵权纠纷",
        channel="web",
        received_at=now - timedelta(days=12),
        complainant=_party("广东光耀科技股份有限公司"),
        respondent=_party("中山市横栏镇恒亮灯具店"),
        right={
            "kind": "patent",
            "number": "ZL202320654321.0",
            "patent_type": "utility_model",
            "classification": "F21V 23/00",
        },
    )
    case_assign(late, assignee=zs_worker, actor=zs_chief)
    opened.append(late)

    opened.append(
        case_open(
            workflow="adjudication",
            unit=units["ZS"],
            actor=zs_worker,
            title="水晶吊灯外观设计专利侵权纠纷",
            channel="walk_in",
            received_at=now - timedelta(hours=3),
            complainant=_party("中山市欧雅灯饰有限公司"),
            respondent=_party("佛山市南海区星耀灯饰商行"),
            right={**design, "number": "ZL202530456789.1"},
        )
    )

    tip = case_open(
        workflow="intake",
        unit=units["ZS"],
        actor=zs_worker,
        title="举报网店销售假冒专利灯具",
        channel="hotline_12345",
        received_at=now - timedelta(days=2),
        complainant=_party("张先生", kind="person", contact="138****5678"),
        respondent=_party("某电商平台店铺“灯饰优选”"),
        right={
            "kind": "patent",
            "number": "ZL202130111222.3",
            "patent_type": "design",
            "classification": "26-03",
        },
    )
    fire(tip, "request_correction", zs_worker, timedelta(days=1), note="请补充购买凭证及产品照片")
    opened.append(tip)

    # Pudong protection centre: an expedited pre-examination and a mediation.
    from caseflow.applicants.services import applicant_approve, applicant_register

    applicant = applicant_register(
        unit=units["PD"],
        actor=pd_worker,
        name="上海智联医疗科技有限公司",
        credit_code=DEMO_CREDIT_CODE,
    )
    db.session.commit()
    applicant_approve(applicant, actor=pd_chief)
    db.session.commit()
    request = case_open(
        workflow="pre_exam",
        unit=units["PD"],
        actor=pd_worker,
        title="一种医学影像分割方法及系统（发明）预审",
        channel="web",
        received_at=now - timedelta(days=4),
        complainant=_party("上海智联医疗科技有限公司"),
        applicant_id=applicant.id,
        right={
            "kind": "patent",
            "number": "",
            "patent_type": "invention",
            "classification": "G06T 7/11",
        },
    )
    fire(request, "start_review", pd_worker, timedelta(days=3))
    case_assign(request, assignee=pd_worker, actor=pd_chief)
    opened.append(request)

    mediation = case_open(
        workflow="mediation",
        unit=units["PD"],
        actor=pd_worker,
        title="数控机床专利许可使用费纠纷调解",
        channel="walk_in",
        received_at=now - timedelta(days=6),
        complainant=_party("上海精工机械有限公司"),
        respondent=_party("苏州华锐数控设备有限公司"),
        right={
            "kind": "patent",
            "number": "ZL201910222333.4",
            "patent_type": "invention",
            "classification": "B23Q 15/00",
        },
    )
    fire(mediation, "consult_respondent", pd_worker, timedelta(days=5), note="征询函已送达被请求人")
    opened.append(mediation)

    # The fair desk: a fair that is on now, its exhibitors and two complaints.
    from caseflow.fairs.services import exhibitors_add, fair_create

    fair = fair_create(
        unit=units["CF"],
        actor=desk,
        name="第140届中国进出口商品交易会（第一期）",
        venue="广州·琶洲 广交会展馆",
        opens_at=now - timedelta(days=1, hours=2),
        closes_at=now + timedelta(days=3, hours=6),
        organiser="中国对外贸易中心",
    )
    db.session.commit()
    exhibitors = exhibitors_add(
        fair,
        actor=desk,
        rows=[
            {"name": "宁波华光照明电器有限公司", "booth": "11.2C15", "country": "CN"},
            {"name": "Lumiere Design GmbH", "booth": "11.2D01", "country": "DE"},
            {"name": "东莞市锐动电子科技有限公司", "booth": "9.1F22", "country": "CN"},
            {"name": "厦门海韵家居用品有限公司", "booth": "14.3A08", "country": "CN"},
        ],
    )
    db.session.commit()
    lodged = case_open(
        workflow="fair_complaint",
        unit=units["CF"],
        actor=desk,
        title="展位 11.2C15 涉嫌侵犯台灯外观设计专利",
        channel="fair_desk",
        received_at=now - timedelta(minutes=40),
        complainant=_party("Lumiere Design GmbH", country="DE", contact="+49 30 1234567"),
        right={
            "kind": "patent",
            "number": "ZL202230777888.9",
            "patent_type": "design",
            "classification": "26-05",
        },
        fair_id=fair.id,
        exhibitor_id=exhibitors[0].id,
    )
    opened.append(lodged)
    notified = case_open(
        workflow="fair_complaint",
        unit=units["CF"],
        actor=desk,
        title="展位 9.1F22 涉嫌侵犯蓝牙耳机商标专用权",
        channel="fair_desk",
        received_at=now - timedelta(hours=5),
        complainant=_party("深圳声科电子有限公司", contact="0755-86001234"),
        right={"kind": "trademark", "number": "第35123456号"},
        fair_id=fair.id,
        exhibitor_id=exhibitors[2].id,
    )
    fire(notified, "accept", desk, timedelta(hours=4, minutes=30))
    fire(notified, "notify_respondent", desk, timedelta(hours=3))
    case_assign(notified, assignee=desk, actor=desk_chief)
    opened.append(notified)

    log.info("demo cases opened: %s", ", ".join(case.number for case in opened))
    opened += _demo_penalties(units, now, fire)
    return len(opened)


#: A valid credit code (check character included) for the demo penalty's respondent.
DEMO_PENALTY_CODE = "91442000MA4W8DEM1" + "X"


def _demo_penalties(units, now, fire) -> list:
    """Zhongshan: a penalty clue from the hotline, and a penalty decided 40 days ago (its credit
    record published); then a second clue against the same company, which shows repeat_of."""
    from caseflow.applicants.creditcode import credit_code_check_char
    from caseflow.cases.services import case_open
    from caseflow.credit.models import CreditRecord
    from caseflow.credit.services import credit_record_publish

    worker, chief = _user("zs_caseworker"), _user("zs_supervisor")
    code = DEMO_PENALTY_CODE[:17] + credit_code_check_char(DEMO_PENALTY_CODE[:17])
    counterfeiter = {**_party("中山市古镇亮点灯饰有限公司"), "code": code}
    lamp = {"kind": "patent", "number": "ZL202230567890.1", "patent_type": "design"}
    tip = case_open(
        workflow="intake",
        unit=units["ZS"],
        actor=worker,
        title="举报灯具包装标注他人专利号",
        channel="hotline_12330",
        received_at=now - timedelta(days=75),
        complainant=_party("陈女士", kind="person", contact="139****0001"),
        respondent=counterfeiter,
        right=lamp,
    )
    fire(tip, "accept", worker, timedelta(days=74), data={"route": "penalty_clue"})
    decided = db.session.scalar(
        select(Case).where(Case.workflow == "penalty").order_by(Case.opened_at.desc())
    )
    # 行政处罚法 art 42: two enforcement officers at least.
    handlers = {"handlers": ["李明", "王芳"]}
    fire(decided, "file_case", chief, timedelta(days=70), data=handlers)
    # 行政处罚法 art 59 item 2: the decision states the evidence of the facts it finds.
    _demo_evidence(
        decided,
        worker,
        now - timedelta(days=68),
        ("吊灯外包装照片.png", _demo_photo(), "现场检查拍摄的吊灯外包装照片（标注ZL202230567890.1）"),
        (
            "现场检查笔录.txt",
            "现场检查笔录\n检查时间：现场检查当日上午\n当事人店内陈列的吊灯外包装标注"
            "“专利号：ZL202230567890.1”，该专利权人并非当事人，亦未许可当事人标注。\n".encode(),
            "现场检查笔录",
        ),
        ("销售单据.txt", "销售单据：吊灯20台，单价200元，合计4000元。\n".encode(), "当事人销售单据"),
    )
    fire(
        decided,
        "notify_intent",
        worker,
        timedelta(days=50),
        data={
            "proposed_fine": 30000,
            "illegal_income": 4000,
            "confiscation": "违法所得4000元",
            "facts": "在吊灯包装上标注他人专利号",
        },
    )
    fire(
        decided,
        "receive_statement",
        worker,
        timedelta(days=46),
        note="当事人放弃陈述申辩",
        data={"hearing_waived": True},
    )
    fire(
        decided,
        "decide_penalty",
        chief,
        timedelta(days=40),
        data={
            "fine": 30000,
            "illegal_income": 4000,
            # Patent Law art 68: the illegal income is confiscated.
            "confiscation": "违法所得4000元",
            "basis": "《中华人民共和国专利法》第六十八条",
            "findings": "当事人在其销售的吊灯外包装上标注ZL202230567890.1号专利。",
            "reasoning": "当事人的行为构成假冒专利。",
            "items": ["责令改正并消除影响", "没收违法所得4000元", "罚款30000元"],
        },
    )
    record = db.session.scalar(select(CreditRecord).where(CreditRecord.case_id == decided.id))
    credit_record_publish(record, actor=chief, at=now - timedelta(days=35))
    again = case_open(
        workflow="penalty",
        unit=units["ZS"],
        actor=worker,
        title="执法检查发现同一企业再次假冒专利",
        channel="inspection",
        received_at=now - timedelta(days=3),
        respondent=counterfeiter,
        right=lamp,
    )
    return [tip, decided, again]


def _demo_photo() -> bytes:
    """A small PNG standing for the inspectors' photo (the demo ships no real photographs)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (236, 228, 212))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 30, 280, 210), outline=(120, 90, 60), width=6)
    draw.ellipse((120, 60, 200, 140), fill=(250, 210, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _demo_evidence(case, actor, at, *files) -> None:
    """File ``files`` (name, bytes, description) on ``case`` as ``actor`` did at ``at``: the
    evidence and its audit event carry that instant, as the demo's steps carry theirs."""
    from caseflow.cases.evidence import evidence_add
    from caseflow.cases.models import Event

    for filename, content, description in files:
        evidence = evidence_add(
            case=case, actor=actor, filename=filename, content=content, description=description
        )
        evidence.uploaded_at = at
        event = db.session.scalar(
            select(Event)
            .where(Event.case_id == case.id, Event.kind == "evidence")
            .order_by(Event.id.desc())
        )
        event.occurred_at = at
    db.session.flush()
