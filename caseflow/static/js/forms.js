/* Forms that never lose what people typed (every page; no inline scripts, see the CSP).
 *
 * - A refused form: focus goes to the first field in error (the summary at the form's top links
 *   each error to its field).
 * - Enter in a search box never submits the form around it.
 * - Uploads: the limits printed on the form (data-max-file, data-max-files, data-max-request, in
 *   bytes; caseflow.cases.evidence states them) are checked before anything is sent, so an
 *   over-limit request never leaves the page. Photos in an input marked data-downscale are
 *   redrawn at most PHOTO_MAX pixels on their longest side as JPEG before upload: the server
 *   files (and hashes) the photo it receives; the original stays on the tablet.
 * - A form is sent once: once a POST is on its way its submit buttons are disabled, so a double
 *   click sends no second request (the server refuses a second use of the new-case form anyway).
 */
(function () {
  'use strict';
  var english = (document.documentElement.lang || '').indexOf('en') === 0;
  var PHOTO_MAX = 2560;

  function t(zh, en) { return english ? en : zh; }
  function mb(bytes) { return (bytes / 1048576).toFixed(1).replace(/\.0$/, ''); }

  /* --- errors: focus the first field in error ------------------------------------------- */
  function focusFirstError() {
    var summary = document.querySelector('[data-error-summary]');
    if (!summary) return;
    var link = summary.querySelector('[data-focus]');
    var target = link && document.getElementById(link.getAttribute('data-focus'));
    var details = summary.closest('details');
    if (details) details.open = true;
    if (target && target.type !== 'hidden') {
      target.focus();
      if (target.scrollIntoView) target.scrollIntoView({ block: 'center' });
    } else {
      summary.focus();
      if (summary.scrollIntoView) summary.scrollIntoView({ block: 'center' });
    }
  }
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('[data-error-summary] a[data-focus]');
    if (!link) return;
    var target = document.getElementById(link.getAttribute('data-focus'));
    if (target) { event.preventDefault(); target.focus(); }
  });

  /* --- Enter in a search box searches, never submits ------------------------------------ */
  document.addEventListener('keydown', function (event) {
    var el = event.target;
    if (event.key !== 'Enter' || !el || el.tagName !== 'INPUT') return;
    if (el.type === 'search' || el.getAttribute('role') === 'combobox') {
      if (el.form) event.preventDefault();
    }
  });

  /* --- uploads ---------------------------------------------------------------------------- */
  function limits(form) {
    return {
      file: parseInt(form.getAttribute('data-max-file') || '0', 10),
      files: parseInt(form.getAttribute('data-max-files') || '0', 10),
      request: parseInt(form.getAttribute('data-max-request') || '0', 10)
    };
  }

  function showUploadError(form, input, message) {
    var box = form.querySelector('[data-upload-error]');
    if (!box) {
      box = document.createElement('div');
      box.className = 'error-summary';
      box.setAttribute('role', 'alert');
      box.setAttribute('tabindex', '-1');
      box.setAttribute('data-upload-error', '');
      form.insertBefore(box, form.firstElementChild ? form.firstElementChild.nextSibling : null);
    }
    box.textContent = message;
    box.hidden = !message;
    if (input) {
      input.setAttribute('aria-invalid', message ? 'true' : 'false');
      var row = input.closest('.form-row');
      if (row) row.classList.toggle('has-error', !!message);
    }
    if (message) {
      box.scrollIntoView && box.scrollIntoView({ block: 'center' });
      (input || box).focus();
    }
  }

  function checkUploads(form) {
    var lim = limits(form);
    var inputs = form.querySelectorAll('input[type=file]');
    var count = 0, total = 0;
    for (var i = 0; i < inputs.length; i++) {
      var files = inputs[i].files || [];
      for (var j = 0; j < files.length; j++) {
        count += 1;
        total += files[j].size;
        if (!files[j].size) {
          return { input: inputs[i], message: t('文件“' + files[j].name + '”是空的，请重新选择。',
            'The file "' + files[j].name + '" is empty; please choose it again.') };
        }
        if (lim.file && files[j].size > lim.file) {
          return { input: inputs[i], message: t(
            '文件“' + files[j].name + '”有 ' + mb(files[j].size) + ' MB，超过单个文件 ' + mb(lim.file) + ' MB 的上限，未提交。其他内容已保留。',
            'The file "' + files[j].name + '" is ' + mb(files[j].size) + ' MB, over the ' + mb(lim.file) + ' MB limit per file; nothing was sent and what you typed is kept.') };
        }
      }
    }
    if (lim.files && count > lim.files) {
      return { input: inputs[0], message: t(
        '一次最多上传 ' + lim.files + ' 个文件，已选 ' + count + ' 个，未提交。',
        'At most ' + lim.files + ' files per upload; ' + count + ' are chosen. Nothing was sent.') };
    }
    if (lim.request && total > lim.request) {
      return { input: inputs[0], message: t(
        '所选文件合计 ' + mb(total) + ' MB，超过一次 ' + mb(lim.request) + ' MB 的上限，未提交。',
        'The files chosen add up to ' + mb(total) + ' MB, over the ' + mb(lim.request) + ' MB limit per upload. Nothing was sent.') };
    }
    return null;
  }

  function downscale(file, maxFile) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file, { imageOrientation: 'from-image' }).then(function (bitmap) {
      var longest = Math.max(bitmap.width, bitmap.height);
      if (longest <= PHOTO_MAX && (!maxFile || file.size <= maxFile)) return file;
      var scale = Math.min(1, PHOTO_MAX / longest);
      var canvas = document.createElement('canvas');
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]+$/, '') + '.jpg';
          resolve(new File([blob], name, { type: 'image/jpeg', lastModified: file.lastModified }));
        }, 'image/jpeg', 0.85);
      });
    }, function () { return file; });
  }

  function prepare(input) {
    var form = input.form;
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length || !window.DataTransfer) return Promise.resolve();
    var lim = form ? limits(form) : { file: 0 };
    input.setAttribute('data-busy', '1');
    var before = files.reduce(function (s, f) { return s + f.size; }, 0);
    return Promise.all(files.map(function (f) { return downscale(f, lim.file); })).then(function (out) {
      var changed = out.some(function (f, i) { return f !== files[i]; });
      if (changed) {
        var transfer = new DataTransfer();
        out.forEach(function (f) { transfer.items.add(f); });
        input.files = transfer.files;
        var after = out.reduce(function (s, f) { return s + f.size; }, 0);
        var note = input.parentNode.querySelector('[data-downscale-note]');
        if (!note) {
          note = document.createElement('div');
          note.className = 'help';
          note.setAttribute('data-downscale-note', '');
          note.setAttribute('role', 'status');
          input.parentNode.appendChild(note);
        }
        note.textContent = t('照片已在本机缩小后上传：' + mb(before) + ' MB → ' + mb(after) + ' MB',
          'Photos are reduced on this device before upload: ' + mb(before) + ' MB → ' + mb(after) + ' MB');
      }
    }).then(function () { input.removeAttribute('data-busy'); },
            function () { input.removeAttribute('data-busy'); });
  }

  document.addEventListener('change', function (event) {
    var input = event.target;
    if (!input || input.type !== 'file' || !input.form || !input.form.hasAttribute('data-upload')) return;
    var form = input.form;
    function check() {
      var problem = checkUploads(form);
      showUploadError(form, problem ? problem.input : input, problem ? problem.message : '');
    }
    if (!input.hasAttribute('data-downscale')) { check(); return; }
    // Photos are being reduced: a submit meanwhile waits for them (see below).
    var work = prepare(input).then(check);
    form._pending = work;
    work.then(function () { if (form._pending === work) form._pending = null; });
  });

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute('data-upload')) return;
    if (form._pending && !form._ready) {  // photos still being reduced: submit when done
      event.preventDefault();
      var submitter = event.submitter;
      form._pending.then(function () {
        // Not in this submit event's own turn: a nested submission would be ignored.
        setTimeout(function () {
          form._ready = true;
          var problem = checkUploads(form);
          if (problem) {
            showUploadError(form, problem.input, problem.message);
          } else if (form.requestSubmit) {
            form.requestSubmit(submitter || undefined);
          } else {
            form.submit();
          }
          form._ready = false;
        }, 0);
      });
      return;
    }
    var problem = checkUploads(form);
    if (problem) {
      event.preventDefault();
      showUploadError(form, problem.input, problem.message);
    }
  });

  /* --- a form is sent once ----------------------------------------------------------------- */
  function submitButtons(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return (el.tagName === 'BUTTON' && (el.type || 'submit') === 'submit') ||
        (el.tagName === 'INPUT' && (el.type === 'submit' || el.type === 'image'));
    });
  }
  function release(root) {
    var sending = root.querySelectorAll('[data-sending]');
    for (var i = 0; i < sending.length; i++) {
      sending[i].disabled = false;
      sending[i].removeAttribute('data-sending');
    }
  }
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form || !form.elements || (form.getAttribute('method') || '').toLowerCase() !== 'post') return;
    // In the next turn, not in this event: the pressed button's name and value are sent only if
    // it is enabled when the form's data is gathered, and another handler may yet cancel.
    setTimeout(function () {
      if (event.defaultPrevented) return;
      submitButtons(form).forEach(function (button) {
        if (button.disabled) return;
        button.disabled = true;
        button.setAttribute('data-sending', '');
      });
      // A download or a new tab leaves this page where it is: usable again after a while.
      setTimeout(function () { release(form); }, 15000);
    }, 0);
  });
  // A page shown again from the history (the back button) comes back with its buttons usable.
  window.addEventListener('pageshow', function () { release(document); });

  // After the load (and the browser's own scroll to a #fragment, which would take the focus).
  if (document.readyState === 'complete') {
    setTimeout(focusFirstError, 0);
  } else {
    window.addEventListener('load', function () { setTimeout(focusFirstError, 0); });
  }
})();

// Small behaviours shared by pages: a <select data-autosubmit> submits its form on change.
document.addEventListener('change', function (event) {
  var select = event.target.closest('select[data-autosubmit]');
  if (select && select.form) select.form.submit();
});
