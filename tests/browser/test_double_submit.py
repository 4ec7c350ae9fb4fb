"""A double click sends a form once: forms.js disables a POST form's submit buttons once it is on
its way (the server refuses a second use of the new-case form in any case)."""

import pytest

pytestmark = pytest.mark.browser


def test_a_double_click_on_submit_sends_one_request(new_page, people):
    page = new_page(people["caseworker"])
    page.goto("/cases/new")
    held = []  # the POSTs, held unanswered: the page stays while the test looks at it
    page.route(
        "**/cases/new",
        lambda route: held.append(route)
        if route.request.method == "POST"
        else route.continue_(),
    )
    state = page.evaluate(
        """async () => {
            const button = document.querySelector('#case-new button[type=submit]');
            const pause = () => new Promise(resolve => setTimeout(resolve, 150));
            button.click();
            await pause();
            button.click();
            await pause();
            return button.disabled;
        }"""
    )
    assert state is True
    assert len(held) == 1 and "submission=" in (held[0].request.post_data or "")
