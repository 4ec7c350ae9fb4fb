// The fair desk: switching the fair reloads the page; picking an exhibitor from the search
// results fills the hidden field. A file, not an inline script (Content-Security-Policy).
(function () {
  var fair = document.getElementById('fair_id');
  if (fair) {
    fair.addEventListener('change', function () {
      window.location = '?fair_id=' + encodeURIComponent(this.value);
    });
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest('.pick-exhibitor');
    if (!button) return;
    document.getElementById('exhibitor_id').value = button.dataset.id;
    var picked = document.getElementById('exhibitor-picked');
    picked.textContent = button.dataset.label;
    picked.hidden = false;
    document.getElementById('repeat-warning').hidden = !button.dataset.repeat;
    document.getElementById('exhibitor-results').innerHTML = '';
  });
})();
