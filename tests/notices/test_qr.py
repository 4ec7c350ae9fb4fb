"""The notices' QR codes (caseflow.notices.qr): one rectangle per run of dark modules, printing
exactly the code qrcode's own SVG renderer prints, module for module."""

import base64
import io
import re

import qrcode
import qrcode.image.svg
from weasyprint import HTML

from caseflow.notices.qr import BORDER, qr_data_uri, qr_matrix, qr_path, qr_svg
from tests.notices.test_fonts import pages_gray

VERIFY_URL = "https://ipc.example.gov.cn/verify/7KQ2M9XD4R8WTB3H"
STATUS_URL = "https://ipc.example.gov.cn/status?number=%E4%B8%AD2026ZS-ADJ-0007&code=H4K9Q2WX7M3R"
RUN = re.compile(r"M(\d+),(\d+)h(\d+)v(\d+)h-(\d+)z")


def cells_drawn(path: str) -> list[tuple[int, int]]:
    """The (x, y) modules the path's rectangles fill, once per rectangle covering it; the path
    must be rectangles and nothing else."""
    rectangles = RUN.findall(path)
    assert "".join(f"M{x},{y}h{w}v{h}h-{back}z" for x, y, w, h, back in rectangles) == path
    cells = []
    for x, y, width, height, back in rectangles:
        assert width == back
        cells += [(int(x) + i, int(y) + j) for i in range(int(width)) for j in range(int(height))]
    return cells


def test_the_path_fills_exactly_the_dark_modules_with_one_rectangle_per_run():
    matrix = qr_matrix(VERIFY_URL)
    dark = {(x, y) for y, row in enumerate(matrix) for x, on in enumerate(row) if on}
    path = qr_path(matrix)
    cells = cells_drawn(path)
    assert set(cells) == dark
    assert len(cells) == len(dark)  # no module painted twice
    # Fewer shapes than modules: WeasyPrint parses five numbers a shape, for each of them.
    assert len(RUN.findall(path)) < len(dark) / 2
    # The quiet zone stays white.
    size = len(matrix)
    assert not any(
        x < BORDER or y < BORDER or x >= size - BORDER or y >= size - BORDER for x, y in dark
    )


def test_the_code_is_the_one_qrcode_makes():
    reference = qrcode.QRCode(border=BORDER)
    reference.add_data(STATUS_URL)
    reference.make(fit=True)
    assert qr_matrix(STATUS_URL) == reference.get_matrix()
    svg = qr_svg(STATUS_URL, module_mm=0.5)
    side = len(reference.get_matrix()) * 0.5
    assert f'width="{side:g}mm"' in svg and f'height="{side:g}mm"' in svg


def _page_pixels(data_uri: str, tmp_path, name: str) -> bytes:
    """The page holding just the image, at 300 dpi, as 8-bit gray pixels."""
    pdf = tmp_path / f"{name}.pdf"
    html = f'<body style="margin:0"><img src="{data_uri}"></body>'
    pdf.write_bytes(HTML(string=html).write_pdf())
    (page,) = pages_gray(pdf, tmp_path, name, dpi=300)
    return page


def test_the_printed_code_is_qrcodes_own_pixel_for_pixel(tmp_path):
    # qrcode's SvgPathImage draws a square per module, box_size / 10 mm each.
    for text, module_mm, box_size in ((VERIFY_URL, 1.0, 10), (STATUS_URL, 0.5, 5)):
        image = qrcode.make(
            text, image_factory=qrcode.image.svg.SvgPathImage, border=BORDER, box_size=box_size
        )
        buffer = io.BytesIO()
        image.save(buffer)
        theirs = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
        ours = qr_data_uri(text, module_mm=module_mm)
        printed = _page_pixels(ours, tmp_path, "ours")
        assert printed == _page_pixels(theirs, tmp_path, "theirs")
        # And a code at all: black pixels on the page, about half the code's area.
        side = len(qr_matrix(text)) * module_mm / 25.4 * 300  # pixels
        assert 0.3 < printed.count(0) / side**2 < 0.7
