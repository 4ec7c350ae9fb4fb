"""Small notice files: renumber the embedded CJK fonts down to the glyphs a notice uses.

Why a notice weighed ~320 KB: WeasyPrint 70 subsets every font with HarfBuzz's
``RETAIN_GIDS`` flag, so the PDF's text can keep the font's own glyph ids as character codes.
Noto Serif CJK SC has 63,043 glyphs and a notice uses ~200, some of them near the end, so each
face keeps every slot up to the last glyph used: an (empty) CFF charstring per slot and 63k
``hmtx``/``vmtx`` entries — ~150–170 KB per face after compression. No WeasyPrint option turns
the flag off.

The fix, as a WeasyPrint *finisher* (its hook to post-process the PDF before it is written):
Noto CJK is a CID-keyed CFF whose CIDs equal its glyph ids, and a PDF can carry a bare CID-keyed
CFF (``/FontFile3 /Subtype /CIDFontType0C``) in which the viewer finds a glyph through the CFF
*charset* (CID → glyph), not through its position (PDF 32000 §9.7.4.2). So each face is
subset again without retaining ids — HarfBuzz keeps each kept glyph's CID in the charset — and only
the CFF table is embedded: the text's codes, the ``/W`` widths and the ``ToUnicode`` map, all keyed
by CID, stay exactly as WeasyPrint wrote them. The metrics tables go: a PDF viewer takes widths
from ``/W``. Result: a one-page notice drops from ~320 KB to ~45 KB, same text, same pixels.

A face is rewritten only when the result proves right (CID-keyed, and its charset holds every
CID the text uses); anything else (a TrueType or name-keyed font, HarfBuzz missing) is left as
WeasyPrint wrote it: bigger, never wrong.
"""

import io
import logging

log = logging.getLogger(__name__)

_HB_DECLARATIONS = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
hb_blob_t *hb_blob_create(const char *data, unsigned int length, int mode,
                          void *user_data, void *destroy);
void hb_blob_destroy(hb_blob_t *blob);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
unsigned int hb_face_get_glyph_count(const hb_face_t *face);
void hb_face_destroy(hb_face_t *face);
hb_blob_t *hb_face_reference_table(const hb_face_t *face, uint32_t tag);
void hb_set_add_range(hb_set_t *set, uint32_t first, uint32_t last);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set(hb_subset_input_t *input);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned value);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
"""
_HB_MEMORY_MODE_READONLY = 1
# Keep whatever .notdef outline WeasyPrint kept (it keeps one when a character is missing), and
# pass unknown tables through rather than failing on them.
_HB_SUBSET_FLAGS = 0x40 | 0x20  # NOTDEF_OUTLINE | PASSTHROUGH_UNRECOGNIZED
_CFF_TAG = int.from_bytes(b"CFF ", "big")

_harfbuzz = None


def _harfbuzz_libraries():
    """(ffi, libharfbuzz, libharfbuzz-subset), loaded once per process; None when absent.

    WeasyPrint binds the same libraries but not the calls that build a face from bytes, so this
    module declares the dozen it needs.
    """
    global _harfbuzz
    if _harfbuzz is None:
        try:
            import cffi

            ffi = cffi.FFI()
            ffi.cdef(_HB_DECLARATIONS)
            _harfbuzz = (ffi, ffi.dlopen("libharfbuzz.so.0"), ffi.dlopen("libharfbuzz-subset.so.0"))
        except (ImportError, OSError) as error:
            log.warning("notice fonts stay unrenumbered: HarfBuzz subset unavailable (%s)", error)
            _harfbuzz = False
    return _harfbuzz or None


def _code_ranges(widths) -> list[tuple[int, int]]:
    """The CIDs a font's ``/W`` array covers, as (first, last) ranges, .notdef (0) included.

    WeasyPrint writes ``/W`` as ``first [w w w] first [w …]``: one width per glyph the text shows.
    """
    ranges = [(0, 0)]
    for index in range(0, len(widths) - 1, 2):
        first, run = widths[index], widths[index + 1]
        if isinstance(first, int) and isinstance(run, list) and run:
            ranges.append((first, first + len(run) - 1))
    return ranges


def cff_subset_by_cid(font_file: bytes, ranges: list[tuple[int, int]]) -> tuple[bytes, int] | None:
    """The bare CFF of ``font_file`` (an OpenType-CFF) cut to the glyphs in ``ranges``, renumbered
    but keeping their CIDs in the charset, and the glyph count of ``font_file``; None if HarfBuzz
    is missing or fails."""
    libraries = _harfbuzz_libraries()
    if libraries is None:
        return None
    ffi, hb, hb_subset = libraries
    blob = hb.hb_blob_create(
        font_file, len(font_file), _HB_MEMORY_MODE_READONLY, ffi.NULL, ffi.NULL
    )
    face = hb.hb_face_create(blob, 0)
    subset_input = hb_subset.hb_subset_input_create_or_fail()
    subset_face = table = ffi.NULL
    try:
        if subset_input == ffi.NULL:
            return None
        glyphs = hb_subset.hb_subset_input_glyph_set(subset_input)
        for first, last in ranges:
            hb.hb_set_add_range(glyphs, first, last)
        hb_subset.hb_subset_input_set_flags(subset_input, _HB_SUBSET_FLAGS)
        subset_face = hb_subset.hb_subset_or_fail(face, subset_input)
        if subset_face == ffi.NULL:
            return None
        table = hb.hb_face_reference_table(subset_face, _CFF_TAG)
        length = ffi.new("unsigned int *")
        data = hb.hb_blob_get_data(table, length)
        if not length[0]:
            return None
        return ffi.buffer(data, length[0])[:], hb.hb_face_get_glyph_count(face)
    finally:
        if table != ffi.NULL:
            hb.hb_blob_destroy(table)
        if subset_face != ffi.NULL:
            hb.hb_face_destroy(subset_face)
        if subset_input != ffi.NULL:
            hb_subset.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def cff_charset_cids(cff: bytes) -> list[int] | None:
    """The CID of each glyph of a CID-keyed CFF, in glyph order; None if it is not CID-keyed."""
    from fontTools.cffLib import CFFFontSet

    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(cff), None)
    top = fonts.topDictIndex[0]
    if not hasattr(top, "ROS"):
        return None
    # fontTools names a CID-keyed font's glyphs "cid00042"; glyph 0 is always ".notdef" (CID 0).
    return [0 if name == ".notdef" else int(name.removeprefix("cid")) for name in top.charset]


def _reference_number(reference) -> int | None:
    """The object number in a pydyf reference (``b"12 0 R"``)."""
    try:
        return int(bytes(reference).split()[0])
    except (TypeError, ValueError, IndexError):
        return None


def pdf_fonts_compact(document, pdf) -> None:
    """WeasyPrint finisher: re-embed each OpenType-CFF CID font as a bare CFF of the glyphs used.

    ``pdf`` is WeasyPrint's pydyf document before it is serialised; ``document`` is unused.
    """
    objects = pdf.objects
    for font in objects:
        if not isinstance(font, dict) or font.get("Subtype") != "/CIDFontType0":
            continue
        descriptor_number = _reference_number(font.get("FontDescriptor"))
        descriptor = objects[descriptor_number] if descriptor_number is not None else None
        file_number = _reference_number((descriptor or {}).get("FontFile3"))
        stream = objects[file_number] if file_number is not None else None
        if stream is None or getattr(stream, "extra", {}).get("Subtype") != "/OpenType":
            continue
        ranges = _code_ranges(font.get("W") or [])
        subset = cff_subset_by_cid(b"".join(stream.stream), ranges)
        if subset is not None:
            cff, glyph_count = subset
            # Codes past the font's last glyph are characters it lacks (WeasyPrint maps them
            # to .notdef through its own CMap); they have no glyph to keep.
            wanted = {
                cid for first, last in ranges for cid in range(first, last + 1) if cid < glyph_count
            }
        # HarfBuzz may keep a few more glyphs (variants of a used character through the cmap's
        # variation sequences); harmless, as long as every CID the text names is there.
        if subset is None or not wanted <= set(cff_charset_cids(cff) or ()):
            log.warning("notice font %s kept whole: no CID-keeping subset", font.get("BaseFont"))
            continue
        stream.stream = [cff]
        stream.extra["Subtype"] = "/CIDFontType0C"
