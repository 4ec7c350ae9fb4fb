// Evidence chosen on a public form (/complain, /p/…) adds up: each pick (a photo taken, files
// chosen) joins the ones before it, up to the form's limit, and each can be removed again. A file
// over the size limit, of a refused type, or past the count is named and left out; everything
// typed stays where it is. The server checks every file again (parties.md §1, §5).
//
// The files to send live in one list per form: the multiple input carries them all (a
// DataTransfer), the camera input is emptied after each photo, so the form sends each file once.
(function () {
  document.querySelectorAll('form[data-max-mb]').forEach(function (form) {
    if (!window.DataTransfer) return;
    var maxBytes = Number(form.dataset.maxMb) * 1024 * 1024;
    var maxFiles = Number(form.dataset.maxFiles);
    var allowed = /\.(pdf|jpe?g|png|webp|heic|docx?|txt)$/i;
    var list = form.querySelector('.chosen');
    var inputs = Array.prototype.slice.call(form.querySelectorAll('input[data-evidence]'));
    var carrier = form.querySelector('input[data-evidence][multiple]') || inputs[0];
    var chosen = [];   // the files that will be sent
    var refused = [];  // [file, reason] of the last pick, shown until the next one

    function size(file) { return (file.size / 1048576).toFixed(1) + ' MB'; }
    function same(a, b) {
      return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
    }

    function store() {
      var transfer = new DataTransfer();
      chosen.forEach(function (file) { transfer.items.add(file); });
      inputs.forEach(function (input) {
        input.files = input === carrier ? transfer.files : new DataTransfer().files;
      });
    }

    function render() {
      list.innerHTML = '';
      chosen.forEach(function (file, index) {
        var li = document.createElement('li');
        li.appendChild(document.createTextNode(file.name + ' · ' + size(file) + ' '));
        var remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'remove';
        remove.textContent = form.dataset.msgRemove || '×';
        remove.setAttribute('aria-label', (form.dataset.msgRemove || '×') + ' ' + file.name);
        remove.addEventListener('click', function () {
          chosen.splice(index, 1);
          refused = [];
          store();
          render();
          var next = list.querySelector('button.remove') || carrier;
          next.focus();
        });
        li.appendChild(remove);
        list.appendChild(li);
      });
      refused.forEach(function (item) {
        var li = document.createElement('li');
        li.className = 'bad';
        li.setAttribute('role', 'alert');
        li.textContent = item[0].name + ' · ' + size(item[0]) + ' — ' + item[1];
        list.appendChild(li);
      });
    }

    function add(event) {
      // The input holds only this pick (a browser replaces an input's files on each choice).
      var picked = Array.prototype.slice.call(event.target.files);
      refused = [];
      picked.forEach(function (file) {
        var reason = '';
        if (!allowed.test(file.name) && !/^image\//.test(file.type)) reason = form.dataset.msgType;
        else if (file.size > maxBytes) reason = form.dataset.msgSize;
        else if (chosen.length >= maxFiles) reason = form.dataset.msgCount;
        if (reason) refused.push([file, reason]);
        else if (!chosen.some(function (kept) { return same(kept, file); })) chosen.push(file);
      });
      store();
      render();
    }

    inputs.forEach(function (input) { input.addEventListener('change', add); });
  });
})();
