// The pages' only script (served from this site: the content security policy allows no inline script).
// Forms that change data ask for confirmation when they carry data-confirm, and their buttons are
// disabled once submitted, so a double tap on a phone does not post twice.
"use strict";

document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) {
    return;
  }
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (form.method.toLowerCase() === "post") {
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      window.setTimeout(function () {
        button.disabled = true;
      }, 0);
    });
  }
});
