// Huzhu's only script (no inline scripts: the CSP forbids them). Small conveniences:
// confirm before an action that moves money or ends a claim, and keep a double click
// from posting a form twice.
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
});
