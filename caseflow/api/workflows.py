"""Workflows over JSON: every workflow's states, transitions (with their forms) and clocks."""

from flask import jsonify

import workflows
from caseflow.api import bp
from caseflow.engine import workflow_describe
from caseflow.errors import NotFound


@bp.get("/workflows")
def workflows_index():
    return jsonify({"workflows": [workflow_describe(name) for name in workflows.WORKFLOWS]})


@bp.get("/workflows/<name>")
def workflows_show(name):
    if name not in workflows.WORKFLOWS:
        raise NotFound("流程不存在", message_en="no such workflow")
    return jsonify(workflow_describe(name))
