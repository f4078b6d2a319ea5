// The pages' only script (served from this site: the content security policy allows no inline script).
// Forms that change data ask for confirmation when they carry data-confirm, and their buttons are
// disabled once submitted, so a double tap on a phone does not post twice.
"use strict";

document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || event.defaultPrevented) {
    return; // a form's own script stopped it (claims.js: a file over the limit): nothing to disable
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

// On a phone the navigation is one row that scrolls sideways (app.css): the current page's entry is
// scrolled into sight (without this script it is one swipe away).
(function () {
  var current = document.querySelector('.site nav a[aria-current="page"]');
  var list = current && current.closest("ul");
  if (!list || list.scrollWidth <= list.clientWidth) {
    return;
  }
  var item = current.getBoundingClientRect();
  var row = list.getBoundingClientRect();
  if (item.right > row.right || item.left < row.left) {
    list.scrollLeft += item.left - row.left - 24;
  }
})();
