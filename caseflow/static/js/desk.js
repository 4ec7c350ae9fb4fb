/* The fair desk (templates/web/fair_desk.html): the exhibitor search is an ARIA combobox
 * (arrow keys move through the results, Enter picks, Escape closes); a pick is announced in a
 * live region and the focus moves on to the complainant. Also: changing the fair reloads the
 * board, and the button of a step that cannot be taken back opens its confirmation form on the card. */
(function () {
  'use strict';
  var input = document.getElementById('exhibitor-q');
  var results = document.getElementById('exhibitor-results');
  var live = document.getElementById('exhibitor-live');
  var english = (document.documentElement.lang || '').indexOf('en') === 0;

  var fair = document.getElementById('fair_id');
  if (fair) {
    fair.addEventListener('change', function () { window.location = '?fair_id=' + encodeURIComponent(this.value); });
  }

  function options() { return results ? Array.prototype.slice.call(results.querySelectorAll('[role=option]')) : []; }
  function active() { return results ? results.querySelector('[role=option][aria-selected=true]') : null; }

  function setActive(option) {
    options().forEach(function (o) { o.setAttribute('aria-selected', o === option ? 'true' : 'false'); });
    if (option) {
      input.setAttribute('aria-activedescendant', option.id);
      option.scrollIntoView && option.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function close() {
    if (results) results.innerHTML = '';
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  function pick(option) {
    document.getElementById('exhibitor_id').value = option.getAttribute('data-id');
    var picked = document.getElementById('exhibitor-picked');
    var label = option.getAttribute('data-label');
    picked.textContent = label;
    picked.hidden = false;
    var repeat = !!option.getAttribute('data-repeat');
    document.getElementById('repeat-warning').hidden = !repeat;
    input.value = label;
    close();
    if (live) {
      live.textContent = (english ? 'Selected: ' : '已选择：') + label +
        (repeat ? (english ? ' (repeat infringer)' : '（重复侵权）') : '');
    }
    var next = document.getElementById('complainant_name');
    if (next) next.focus();
  }

  if (input && results) {
    document.body.addEventListener('htmx:afterSwap', function (event) {
      if (event.target !== results) return;
      var list = options();
      input.setAttribute('aria-expanded', list.length ? 'true' : 'false');
      var count = results.querySelector('[data-results-count]');
      if (live && count) live.textContent = count.textContent;
      if (list.length) setActive(list[0]);
    });
    input.addEventListener('keydown', function (event) {
      var list = options();
      var current = active();
      var index = list.indexOf(current);
      if (event.key === 'ArrowDown' && list.length) {
        event.preventDefault();
        setActive(list[Math.min(index + 1, list.length - 1)]);
      } else if (event.key === 'ArrowUp' && list.length) {
        event.preventDefault();
        setActive(list[Math.max(index - 1, 0)]);
      } else if (event.key === 'Enter') {
        event.preventDefault();  // never submits the lodging form
        if (current) pick(current);
        else if (window.htmx) window.htmx.trigger(input, 'search');
      } else if (event.key === 'Escape') {
        close();
      }
    });
    results.addEventListener('click', function (event) {
      var option = event.target.closest('[role=option]');
      if (option) pick(option);
    });
  }

  /* A step that cannot be taken back: the first tap opens its form (what goes onto the notice,
   * then confirm). With nothing to type, the focus goes to the panel, so the warning is read
   * first; never to the confirming button, where a second Enter would fire the step. */
  document.addEventListener('click', function (event) {
    var opener = event.target.closest('[data-open-confirm]');
    if (!opener) return;
    var panel = document.getElementById(opener.getAttribute('aria-controls'));
    if (!panel) return;
    var open = panel.hidden;
    panel.hidden = !open;
    opener.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (open) {
      var first = panel.querySelector('textarea, input[type=file]');
      (first || panel).focus();
    }
  });
})();
