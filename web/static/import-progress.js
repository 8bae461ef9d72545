// The lead import pages (apps/portal/imports.go). Both work without it.
//
// The upload form: a file over the limit is refused here, before sending
// hundreds of megabytes the server would refuse anyway.
//
// The progress of a running import: the bar and the counters follow the
// import's Server-Sent Events; when the import ends the page is loaded
// again, to show its summary or its error.
(function () {
  'use strict';

  var form = document.querySelector('form[data-max-bytes]');
  if (form) {
    var max = Number(form.getAttribute('data-max-bytes'));
    var problem = document.querySelector('[data-upload-error]');
    form.addEventListener('submit', function (event) {
      var input = form.querySelector('input[type="file"]');
      var file = input && input.files && input.files[0];
      if (file && file.size > max) {
        event.preventDefault();
        problem.textContent = form.getAttribute('data-too-large');
        problem.hidden = false;
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      } else {
        problem.hidden = true;
        input.removeAttribute('aria-invalid');
      }
    });
  }

  var box = document.querySelector('[data-import-events]');
  if (!box || !window.EventSource) {
    return;
  }
  var field = function (name) { return box.querySelector('[data-field="' + name + '"]'); };
  var status = document.querySelector('[data-testid="import-status"]');
  var source = new EventSource(box.getAttribute('data-import-events'));
  source.onmessage = function (event) {
    var p = JSON.parse(event.data);
    box.setAttribute('data-live', ''); // the page follows the import
    field('percent').value = p.percent;
    field('percent-text').textContent = p.percent + ' %';
    ['rows', 'imported', 'blocked', 'duplicates', 'invalid'].forEach(function (name) {
      field(name).textContent = Number(p[name]).toLocaleString(document.documentElement.lang); // grouped as the page is
    });
    var label = status && status.getAttribute('data-label-' + p.status);
    if (label) {
      status.textContent = label;
      status.className = 'badge import-status is-' + p.status;
    }
    if (p.status !== 'queued' && p.status !== 'running') {
      source.close();
      window.location.reload();
    }
  };
})();
