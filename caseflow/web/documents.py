"""What the case page's document panels show (drafts, the compensation worksheet, the mediation
session log, the confirmation bundle): read by the case page (``web.cases``) and re-rendered with
errors by the panels' own views (``web.case_documents``)."""

from caseflow.cases.bundle import bundle_available
from caseflow.cases.compensation import WORKFLOWS as COMPENSATION_WORKFLOWS
from caseflow.cases.compensation import compensation_get
from caseflow.cases.drafts import DRAFTING_ROLES, draft_get, draft_kinds_open
from caseflow.cases.sessions import sessions_list
from caseflow.notices.kinds import kind_title
from caseflow.web.forms import CompensationForm, SessionForm, draft_form_class

SESSION_WORKFLOWS = ("mediation", "adjudication")


def documents_context(case, user, *, forms=None) -> dict:
    """What the panels show: one draft form per document that may be drafted now, the worksheet,
    the session log, whether the bundle link applies. ``forms`` carries a submitted form back
    with its errors."""
    forms = dict(forms or {})
    can_write = user.role in DRAFTING_ROLES
    drafts = []
    for kind in draft_kinds_open(case) if can_write else []:
        key = f"draft-{kind}"
        form = forms.get(key)
        saved = draft_get(case, kind)
        if form is None:
            form = draft_form_class(case.workflow, kind)(prefix=key, formdata=None)
            for name in form.data_fields:
                getattr(form, name).data = saved.get(name)
        drafts.append(
            {"kind": kind, "title": kind_title(case.workflow, kind), "form": form, "saved": saved}
        )
    compensation_form = None
    if case.workflow in COMPENSATION_WORKFLOWS and can_write and not case.is_closed:
        compensation_form = forms.get("compensation") or CompensationForm(
            prefix="compensation", formdata=None
        )
    session_form = None
    if case.workflow in SESSION_WORKFLOWS and can_write and not case.is_closed:
        session_form = forms.get("session") or SessionForm(prefix="session", formdata=None)
    return {
        "drafts": drafts,
        "compensation": compensation_get(case),
        "compensation_form": compensation_form,
        "show_compensation": case.workflow in COMPENSATION_WORKFLOWS,
        "sessions": sessions_list(case),
        "session_form": session_form,
        "show_sessions": case.workflow in SESSION_WORKFLOWS,
        "bundle": bundle_available(case),
    }
