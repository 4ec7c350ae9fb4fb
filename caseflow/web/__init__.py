"""The web UI blueprint. Each page family is a module of views on ``bp``."""

import importlib

from flask import Blueprint

bp = Blueprint("web", __name__)

#: View modules of the UI; each defines routes on ``bp``. Listed here so the order is explicit.
VIEW_MODULES = (
    "caseflow.web.core",
    "caseflow.web.inbox",
    "caseflow.web.intake",
    "caseflow.web.cases",
    "caseflow.web.case_documents",
    "caseflow.web.fair_desk",
    "caseflow.web.fairs",
    "caseflow.web.applicants",
    "caseflow.web.dashboard",
    "caseflow.web.admin",
    "caseflow.web.public",
    "caseflow.web.credit",
)

for _module in VIEW_MODULES:
    importlib.import_module(_module)
