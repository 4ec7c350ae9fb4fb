"""Imported by the notice pool's forkserver only (``caseflow.notices.pool``): render one small
page with the notices' stylesheet and fonts, so that fontconfig, Pango and HarfBuzz have loaded
the Noto CJK faces before any worker is forked. Each worker then starts with them in memory
instead of paying about a render's time again for its first notice."""

import logging
from pathlib import Path

from weasyprint import HTML

_STYLESHEET = Path(__file__).resolve().parents[2] / "templates" / "notices" / "notices.css"
_SAMPLE = "中山市知识产权保护中心 受理通知书 2026年12月8日 ZL202310123456.7 LED"

try:
    HTML(
        string=(
            f"<html><head><style>{_STYLESHEET.read_text(encoding='utf-8')}</style></head><body>"
            f"<p>{_SAMPLE}</p><p style='font-weight: 700'>{_SAMPLE}</p></body></html>"
        )
    ).write_pdf()
except Exception:  # noqa: BLE001 — only a head start: a worker loads the fonts itself anyway
    logging.getLogger(__name__).exception("notices: warming the forkserver failed")
