// Huzhu's only script (no inline scripts: the CSP forbids them). Small conveniences that
// the pages work without: confirm before a step that moves money or ends a claim, keep a
// double click from posting a form twice, and show an upload's progress for big files.
(function () {
  "use strict";

  function uploadWithProgress(form, bar) {
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    bar.hidden = false;
    bar.value = 0;
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { bar.value = Math.round((event.loaded / event.total) * 100); }
    });
    request.addEventListener("load", function () {
      // The server answers with a redirect to the result page; go where it led.
      if (request.responseURL && request.responseURL !== form.action) {
        window.location.assign(request.responseURL);
      } else {
        document.open();
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener("error", function () { form.submit(); });
    request.send(new FormData(form));
  }

  // A box that ticks or clears every box of a list (the boxes still work one by one).
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.dataset || !box.dataset.checkAll) { return; }
    document.querySelectorAll("input[type=checkbox]").forEach(function (other) {
      if (other.name === box.dataset.checkAll) { other.checked = box.checked; }
    });
  });

  // A print button (the page prints from the browser's menu too).
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print]") : null;
    if (target) { window.print(); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = form.querySelector("button[type=submit]");
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.submitted === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    if (button) { button.setAttribute("aria-busy", "true"); }
    var bar = form.dataset.progress && document.getElementById(form.dataset.progress);
    if (bar && window.FormData && window.XMLHttpRequest) {
      event.preventDefault();
      uploadWithProgress(form, bar);
    }
  });
})();
