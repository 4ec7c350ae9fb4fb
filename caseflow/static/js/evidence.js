// Evidence chosen on a public form (/complain, /p/…) is checked in the browser before anything is
// uploaded: a file over the size limit or of a refused type is named and left out, and everything
// typed stays where it is. The server checks every file again.
(function () {
  document.querySelectorAll('form[data-max-mb]').forEach(function (form) {
    if (!window.DataTransfer) return;
    var maxBytes = Number(form.dataset.maxMb) * 1024 * 1024;
    var maxFiles = Number(form.dataset.maxFiles);
    var allowed = /\.(pdf|jpe?g|png|webp|heic|docx?|txt)$/i;
    var list = form.querySelector('.chosen');
    var inputs = form.querySelectorAll('input[data-evidence]');
    function refresh() {
      list.innerHTML = '';
      var count = 0;
      inputs.forEach(function (input) {
        var keep = new DataTransfer();
        Array.prototype.forEach.call(input.files, function (file) {
          var li = document.createElement('li');
          var reason = '';
          if (!allowed.test(file.name) && !/^image\//.test(file.type)) reason = form.dataset.msgType;
          else if (file.size > maxBytes) reason = form.dataset.msgSize;
          else if (count >= maxFiles) reason = form.dataset.msgCount;
          li.textContent = file.name + ' · ' + (file.size / 1048576).toFixed(1) + ' MB' +
            (reason ? ' — ' + reason : '');
          if (reason) { li.className = 'bad'; li.setAttribute('role', 'alert'); }
          else { keep.items.add(file); count += 1; }
          list.appendChild(li);
        });
        input.files = keep.files;
      });
    }
    inputs.forEach(function (input) { input.addEventListener('change', refresh); });
  });
})();
