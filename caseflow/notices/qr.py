"""QR codes for notices, as SVG: vector, so they print sharp at any size.

The path draws each run of dark modules in a row as one rectangle (``M x,y h w v h h -w z``), and
a run that repeats on the rows below as one taller rectangle. qrcode's own ``SvgPathImage`` draws
every module as a square of its own: about 600 squares for a verification URL, whose numbers
WeasyPrint parses one by one in Python, a large share of a notice's render for its two codes.
The rectangles draw the same dark modules with less than half the numbers.
"""

import base64

import qrcode
import qrcode.constants

#: The quiet zone around the code, in modules. One suffices for a code printed on white paper with
#: nothing near it (the notices leave blank margin around both codes).
BORDER = 1


def qr_matrix(text: str) -> list[list[bool]]:
    """The code's modules, quiet zone included: ``True`` for dark."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=BORDER)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def qr_path(matrix: list[list[bool]]) -> str:
    """An SVG path (one unit a module) filling the dark modules: one rectangle per run of dark
    modules in a row, carried down the rows below that have the same run."""
    rows = [_runs(row) for row in matrix]
    parts = []
    for y, runs in enumerate(rows):
        for start, width in sorted(runs):
            height = 1
            while y + height < len(rows) and (start, width) in rows[y + height]:
                rows[y + height].discard((start, width))
                height += 1
            parts.append(f"M{start},{y}h{width}v{height}h-{width}z")
    return "".join(parts)


def _runs(row: list[bool]) -> set[tuple[int, int]]:
    """The row's runs of dark modules, as (first column, width)."""
    runs = set()
    x, size = 0, len(row)
    while x < size:
        if row[x]:
            start = x
            while x < size and row[x]:
                x += 1
            runs.add((start, x - start))
        x += 1
    return runs


def qr_svg(text: str, *, module_mm: float = 1.0) -> str:
    """The SVG document of ``text``'s code, ``module_mm`` millimetres a module."""
    matrix = qr_matrix(text)
    size = len(matrix)
    side = f"{size * module_mm:g}mm"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{side}" height="{side}" '
        f'viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
        f'<path d="{qr_path(matrix)}"/></svg>'
    )


def qr_data_uri(text: str, *, module_mm: float = 1.0) -> str:
    """``qr_svg`` as a ``data:`` URI, for an ``<img>`` or a CSS ``content``."""
    svg = qr_svg(text, module_mm=module_mm).encode("ascii")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
