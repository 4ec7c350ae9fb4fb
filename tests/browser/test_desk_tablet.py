"""The fair desk on a tablet, portrait 768 × 1024 and landscape 1024 × 768 (an audit of the desk):
nothing final in one tap, targets a finger can hit, the exhibitor picker's rows, a refused lodging
that says what it lost, and the landscape layout."""

import subprocess

import pytest

from caseflow.cases.models import Case
from caseflow.extensions import db

pytestmark = pytest.mark.browser

PORTRAIT = {"width": 768, "height": 1024}
LANDSCAPE = {"width": 1024, "height": 768}


def _state(case) -> str:
    db.session.expire_all()
    return db.session.get(Case, case.id).state


def test_outcomes_that_end_a_complaint_ask_for_a_confirming_tap(
    new_page, people, fair_complaint, shot
):
    """判定不构成侵权 and 现场调解成功 close the complaint for good: the first tap only opens the
    confirmation on the card; mediation asks for the agreed terms, which its notice prints."""
    cleared = fair_complaint(booth="11.2C16", complainant="Bright Lamps Ltd")
    mediated = fair_complaint()
    page = new_page(people["desk"], **PORTRAIT)
    page.goto("/desk")

    card = page.locator(f".board-card[data-case='{cleared.number}']")
    card.locator("button[data-trigger=find_not_infringing]").click()
    panel = card.locator("form[data-confirm-form=find_not_infringing]")
    assert panel.is_visible() and "投诉即告办结" in panel.inner_text()
    assert _state(cleared) == "respondent_notified"  # the tap fired nothing
    panel.locator("button[data-confirm=find_not_infringing]").click()
    page.wait_for_load_state()
    assert _state(cleared) == "not_infringing"

    card = page.locator(f".board-card[data-case='{mediated.number}']")
    card.locator("button[data-trigger=mediate]").click()
    panel = card.locator("form[data-confirm-form=mediate]")
    terms = panel.locator("textarea")
    assert terms.evaluate("(t) => t === document.activeElement")
    panel.locator("button[data-confirm=mediate]").click()  # no terms: the browser keeps the form
    assert terms.evaluate("(t) => t.matches(':invalid')")
    assert _state(mediated) == "respondent_notified"
    terms.fill("被投诉方当场撤下 A-100 型吸顶灯样品\n被投诉方承诺本届展会不再展出该产品")
    admitted = panel.locator("label.check")
    assert admitted.evaluate("(e) => e.getBoundingClientRect().height") >= 44
    assert admitted.locator("input").evaluate("(e) => e.getBoundingClientRect().width") < 40
    admitted.click()
    shot(page, "desk-confirm-mediation")
    panel.locator("button[data-confirm=mediate]").click()
    page.wait_for_load_state()
    assert _state(mediated) == "mediated"
    link = page.locator(f".board-card[data-case='{mediated.number}'] a:has-text('调解协议书')")
    pdf = page.request.get(link.get_attribute("href")).body()
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "一、被投诉方当场撤下 A-100 型吸顶灯样品。" in text.replace("\n", "")



def _box(locator) -> dict:
    return locator.evaluate(
        "(e) => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; }"
    )


def test_exhibitor_options_are_finger_targets_and_the_highlighted_one_shows(
    new_page, people, fair_with_exhibitors, shot
):
    page = new_page(people["desk"], **PORTRAIT)
    page.goto("/desk")
    page.fill("#exhibitor-q", "11.2C1")
    options = page.locator("#exhibitor-listbox [role=option]")
    options.first.wait_for()
    page.keyboard.press("ArrowDown")  # the second option, reached by keyboard
    assert options.nth(1).get_attribute("aria-selected") == "true"
    boxes = [_box(options.nth(n)) for n in range(options.count())]
    assert all(b["h"] >= 44 for b in boxes), boxes
    look = "(e) => { const s = getComputedStyle(e); return [s.backgroundColor, s.boxShadow, s.borderBottomWidth]; }"
    first, second = options.nth(0).evaluate(look), options.nth(1).evaluate(look)
    assert first[0] != second[0] and second[1] != "none"  # the highlighted row stands out
    assert first[2] == "1px"  # rows are divided
    shot(page, "desk-combobox-highlight")


def test_the_boards_buttons_and_the_lodging_checkboxes_are_finger_targets(
    new_page, people, fair_complaint, shot
):
    case = fair_complaint()
    page = new_page(people["desk"], **PORTRAIT)
    page.goto("/desk")
    card = page.locator(f".board-card[data-case='{case.number}']")
    buttons = card.locator(".actions .btn, .notice-links .btn")
    assert buttons.count() >= 6  # 收到答辩, the four outcomes, 更多操作, the notices to print
    boxes = [_box(buttons.nth(n)) for n in range(buttons.count())]
    assert all(b["h"] >= 44 for b in boxes), boxes
    for left, right in zip(boxes, boxes[1:], strict=False):
        if abs(left["y"] - right["y"]) < 1:  # side by side on one row
            assert right["x"] - (left["x"] + left["w"]) >= 8, (left, right)
    for name in ("priority", "fast_mode"):
        label = page.locator(f".checks label:has(#{name})")
        assert _box(label)["h"] >= 44
        label.click(position={"x": 4, "y": 4})  # the label's corner, off the box, ticks it
        assert page.locator(f"#{name}").is_checked()
    shot(page, "desk-targets")
    # Not elsewhere: the inbox's small buttons stay small on a desktop.
    office = new_page(people["caseworker"])
    office.goto("/inbox")
    assert _box(office.locator("#case-new-link"))["h"] < 40


def test_in_landscape_the_form_and_the_board_stand_side_by_side_above_the_fold(
    new_page, people, fair_complaint, shot
):
    """At 1024 × 768 the lodging form's button and the first complaint's hour clocks are in view
    without scrolling; in portrait the board stays below the form."""
    fair_complaint()
    fair_complaint(state="lodged", booth="11.2C16", complainant="Bright Lamps Ltd")
    page = new_page(people["desk"], **LANDSCAPE)
    page.goto("/desk")
    page.screenshot(path=str(_artifact("desk-landscape.png")))
    submit = _box(page.locator("#lodge-form button[type=submit]"))
    clocks = _box(page.locator(".board-card .clocks").first)
    assert submit["y"] + submit["h"] <= LANDSCAPE["height"], submit
    assert clocks["y"] + clocks["h"] <= LANDSCAPE["height"], clocks
    lodge, board = _box(page.locator("#lodge")), _box(page.locator("#board"))
    assert board["x"] >= lodge["x"] + lodge["w"] and board["y"] < lodge["y"] + lodge["h"]

    page.click(".session button:has-text('English')")  # longer labels, still in view
    page.wait_for_load_state()
    submit = _box(page.locator("#lodge-form button[type=submit]"))
    assert submit["y"] + submit["h"] <= LANDSCAPE["height"], submit

    page.set_viewport_size(PORTRAIT)
    lodge, board = _box(page.locator("#lodge")), _box(page.locator("#board"))
    assert board["y"] >= lodge["y"] + lodge["h"]  # one column: the board below the form


def _artifact(name):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / name
