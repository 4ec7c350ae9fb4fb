"""The English catalogue the Babel way: ``messages.po`` is the source a translator edits, and it
holds, translated, every message the code, the templates and the declared labels (workflows,
notice kinds) carry. A new message without English fails here: run
``flask --app wsgi translate update``, translate it in messages.po, then ``translate compile``."""

import os
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from caseflow.translations.cli import CATALOGUE, HERE, ROOT


def _key(message):
    return (message.id[0] if isinstance(message.id, tuple) else message.id, message.context)


def _translated(message) -> bool:
    return any(message.string) if isinstance(message.string, tuple) else bool(message.string)


def test_every_extracted_message_is_in_the_catalogue_in_english(tmp_path):
    pot = tmp_path / "messages.pot"
    pybabel = str(Path(sys.executable).with_name("pybabel"))
    subprocess.run(
        [pybabel, "extract", "-F", str(HERE / "babel.cfg"), "-k", "_l", "-k", "N_",
         "--no-location", "-o", str(pot), "."],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, capture_output=True,
    )
    with pot.open("rb") as handle:
        extracted = {_key(m) for m in read_po(handle) if m.id}
    with CATALOGUE.open("rb") as handle:
        catalogue = {_key(m): m for m in read_po(handle, locale="en") if m.id}
    # The declared labels are there (our extractor ran), buttons as verbs included.
    assert ("预审合格", None) in extracted and ("责令撤展", "action") in extracted
    missing = sorted(k for k in extracted if k not in catalogue)
    untranslated = sorted(k for k in extracted if k in catalogue and not _translated(catalogue[k]))
    assert missing == [], f"not in messages.po (run flask translate update): {missing[:10]}"
    assert untranslated == [], f"no English in messages.po: {untranslated[:10]}"
    assert catalogue[("责令撤展", "action")].string == "Order withdrawal"


def test_the_compiled_catalogue_matches_its_source():
    mo = CATALOGUE.with_suffix(".mo")
    assert mo.exists()
    with CATALOGUE.open("rb") as handle:
        count = sum(1 for m in read_po(handle, locale="en") if m.id)
    from babel.messages.mofile import read_mo

    with mo.open("rb") as handle:
        compiled = sum(1 for m in read_mo(handle) if m.id)
    assert compiled == count, "messages.mo is stale: run flask --app wsgi translate compile"
