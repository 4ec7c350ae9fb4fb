"""``flask fairs import`` and ``flask fairs post-fair-clocks``."""

from tests.fairs.test_importing import xlsx_bytes


def test_import_a_file_and_report_row_errors(app, make_fair, officer, tmp_path):
    fair = make_fair()
    runner = app.test_cli_runner()
    good = tmp_path / "展商.xlsx"
    good.write_bytes(xlsx_bytes([["名称", "展位号", "国家或地区"], ["甲灯饰", "1A01", "中国"]]))
    result = runner.invoke(
        args=["fairs", "import", str(fair.id), str(good), "--user", officer.username]
    )
    assert result.exit_code == 0, result.output
    assert "1 exhibitors added" in result.output

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "名称,展位号,国家或地区\n乙灯饰,1A01,中国\n丙灯饰,1A02,火星\n", encoding="utf-8-sig"
    )
    result = runner.invoke(
        args=["fairs", "import", str(fair.id), str(bad), "--user", officer.username]
    )
    assert result.exit_code == 1
    assert "第2行 展位号 1A01 重复" in result.output and "第3行 无法识别" in result.output
    assert "Traceback" not in result.output

    listed = runner.invoke(args=["fairs", "list"])
    assert f"{fair.id}\tCF\t2026-04-15T09:00:00+08:00" in listed.output


def test_post_fair_clocks_on_demand(app, make_fair):
    make_fair()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["fairs", "post-fair-clocks", "--now", "2026-04-20T00:00:00+08:00"])
    assert result.exit_code == 0 and "0 post_fair clocks started" in result.output
    assert runner.invoke(args=["fairs", "post-fair-clocks", "--now", "soon"]).exit_code == 1
