"""Notice files are small: each embedded CJK face is cut to the glyphs used (caseflow.notices.fonts),
and the notice reads and looks exactly as WeasyPrint's own, full-size, output.

Every kind is issued through the real path (``notices_render_pending``), then its HTML is rendered
again by bare WeasyPrint; the two files are compared: size, fonts, the text pdftotext reads, and
each page rasterised by pdftoppm at 100 dpi, pixel by pixel.
"""

import io
import subprocess
from pathlib import Path

import pytest
from fontTools.cffLib import CFFFontSet

from caseflow.notices.fonts import cff_charset_cids
from caseflow.notices.render import notice_html
from tests.notices.conftest import RESPONDENT, at
from tests.notices.test_render import CASES, STEP_AT

#: A one-page notice weighs at most this (it was ~320 KB with all 63,043 glyph slots per face).
PAGE_BYTES = 100 * 1024
#: Share of pixels that may differ between the compact and the full-size file at 100 dpi.
PIXELS_DIFFERING = 0.005


def _run(*args, binary=False):
    return subprocess.run(args, check=True, capture_output=True, text=not binary).stdout


def pages_gray(path, folder, name, dpi=100) -> list[bytes]:
    """Each page as 8-bit gray pixels (pdftoppm -r dpi -gray, binary PGM), header dropped."""
    prefix = folder / name
    _run("pdftoppm", "-r", str(dpi), "-gray", str(path), str(prefix))
    pages = []
    for image in sorted(folder.glob(f"{name}-*.pgm")):
        data = image.read_bytes()
        # P5 <width> <height> <maxval> then one byte a pixel.
        magic, width, height, maxval, pixels = data.split(maxsplit=4)
        assert (magic, maxval) == (b"P5", b"255")
        assert len(pixels) == int(width) * int(height)
        pages.append(pixels)
    return pages


@pytest.mark.parametrize("kind", sorted(CASES))
def test_notice_is_small_and_reads_and_looks_the_same(kind, app, make_case, issue, pdf, tmp_path):
    from weasyprint import HTML

    workflow, unit, clocks, data, *_ = CASES[kind]
    respondent = {} if workflow == "pre_exam" else RESPONDENT
    case = make_case(workflow, unit=unit, respondent=respondent)
    notice = issue(case, kind, at(STEP_AT), clocks=clocks, data=data)
    assert notice.status == "issued", notice.last_error

    compact = tmp_path / "compact.pdf"
    compact.write_bytes(Path(pdf.path(notice)).read_bytes())
    full = tmp_path / "full.pdf"
    # The same HTML through WeasyPrint alone: every glyph slot kept, as before the finisher.
    HTML(string=notice_html(notice), base_url=app.root_path).write_pdf(full)

    page_count = int(
        next(
            line.split()[-1]
            for line in _run("pdfinfo", str(compact)).splitlines()
            if line.startswith("Pages:")
        )
    )
    size, full_size = compact.stat().st_size, full.stat().st_size
    assert size <= PAGE_BYTES * page_count, f"{kind}: {size} bytes for {page_count} page(s)"
    assert size < full_size / 3, f"{kind}: {size} vs {full_size} bytes"

    # Still embedded and subset, now as bare CID-keyed CFF.
    fonts = _run("pdffonts", str(compact)).splitlines()[2:]
    assert fonts
    for line in fonts:
        assert "CID Type 0C" in line and "(OT)" not in line, line
        emb, sub, uni = line.split()[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), line

    assert _run("pdftotext", "-enc", "UTF-8", str(compact), "-") == _run(
        "pdftotext", "-enc", "UTF-8", str(full), "-"
    )

    compact_pages = pages_gray(compact, tmp_path, "compact")
    full_pages = pages_gray(full, tmp_path, "full")
    assert len(compact_pages) == len(full_pages) == page_count
    for number, (mine, theirs) in enumerate(zip(compact_pages, full_pages, strict=True), 1):
        assert len(mine) == len(theirs)
        differing = sum(a != b for a, b in zip(mine, theirs, strict=True))
        assert differing <= PIXELS_DIFFERING * len(mine), (
            f"{kind} page {number}: {differing} of {len(mine)} pixels differ"
        )


def test_the_subset_keeps_each_glyph_under_its_cid(app):
    """The renumbered CFF lists, glyph by glyph, the CIDs the PDF's text codes name."""
    from weasyprint import HTML

    from caseflow.notices.fonts import pdf_fonts_compact

    captured = []

    def capture(document, pdf):
        pdf_fonts_compact(document, pdf)
        for font in pdf.objects:
            if isinstance(font, dict) and font.get("Subtype") == "/CIDFontType0":
                descriptor = pdf.objects[int(font["FontDescriptor"].split()[0])]
                stream = pdf.objects[int(descriptor["FontFile3"].split()[0])]
                widths = font["W"]
                codes = {0}
                for index in range(0, len(widths), 2):
                    codes.update(range(widths[index], widths[index] + len(widths[index + 1])))
                captured.append((stream.extra["Subtype"], b"".join(stream.stream), sorted(codes)))

    css = app.jinja_env.get_template("notices/notices.css").render()
    HTML(string=f"<style>{css}</style><p>行政裁决 ZL202310123456.7 <b>决定书</b></p>").write_pdf(
        finisher=capture
    )
    assert len(captured) == 2  # regular and bold
    for subtype, cff, codes in captured:
        assert subtype == "/CIDFontType0C"
        cids = cff_charset_cids(cff)
        assert set(codes) <= set(cids) and len(cids) == len(set(cids))
        fonts = CFFFontSet()
        fonts.decompile(io.BytesIO(cff), None)
        assert len(fonts.topDictIndex[0].charset) < 60
