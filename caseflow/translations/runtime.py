"""Messages the templates look up at run time (tab names, badges, role and status labels, error
titles), which extraction cannot find where they are used. Marked with ``N_`` so that
``flask translate update`` (pybabel, keyword ``N_``) puts them into ``messages.po``."""


def N_(message: str) -> str:  # noqa: N802 (the conventional name of the no-op marker)
    """Marks ``message`` for extraction; translated where it is shown, with ``gettext``."""
    return message


RUNTIME = (
    N_("我的待办"),
    N_("我承办的"),
    N_("本单位未分配"),
    N_("本单位全部"),
    N_("用户与角色"),
    N_("工作日历"),
    N_("进行中"),
    N_("临期"),
    N_("已暂停"),
    N_("按期完成"),
    N_("超期完成"),
    N_("已取消"),
    N_("案件编号或查询码不正确"),
    N_("请求有误"),
    N_("需要登录"),
    N_("无权访问"),
    N_("页面不存在"),
    N_("不支持的操作"),
    N_("状态冲突"),
    N_("上传的文件过大"),
    N_("数据无效"),
    N_("请求过于频繁"),
    N_("系统错误"),
    N_("出错了"),
    # caseflow.accounts.models.ROLE_LABELS, caseflow.applicants.models.APPLICANT_STATUS_LABELS
    N_("部门负责人"),
    N_("展会投诉站工作人员"),
    N_("管理员"),
    N_("只读用户"),
    N_("待审核"),
    N_("已备案"),
    N_("已撤销"),
    N_("未通过审核"),
    N_("请先登录。"),
    # caseflow.alerts.models.LEVEL_LABELS
    N_("临期预警"),
    N_("督办"),)
