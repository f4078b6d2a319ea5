// The credit-claim form (报告培训, and amending a returned claim): a certificate file or photo over the
// evidence limit is said at once, next to its input, and the form is not sent with it (the upload of a
// large photo over a phone's connection would only be refused). The form works without this script:
// the server answers the same with the typed values kept. The limit and the words come from the page
// (data-max-bytes, data-too-large); served from this site (the content security policy allows no
// inline script).
"use strict";

(function () {
  var inputs = document.querySelectorAll("input[type=file][data-max-bytes]");

  function tooLarge(input) {
    var limit = Number(input.getAttribute("data-max-bytes"));
    var files = input.files || [];
    return limit > 0 && files.length > 0 && files[0].size > limit;
  }

  function describe(input, id, on) {
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
      return x && x !== id;
    });
    if (on) {
      ids.push(id);
    }
    input.setAttribute("aria-describedby", ids.join(" "));
  }

  function check(input) {
    var warning = document.getElementById(input.getAttribute("data-warning"));
    var over = tooLarge(input);
    if (warning) {
      warning.textContent = over ? input.getAttribute("data-too-large") : "";
      warning.hidden = !over;
      describe(input, warning.id, over);
    }
    if (over) {
      input.setAttribute("aria-invalid", "true");
    } else if (!document.getElementById(input.id + "-error")) {
      input.removeAttribute("aria-invalid");
    }
    return over;
  }

  inputs.forEach(function (input) {
    input.addEventListener("change", function () {
      check(input);
    });
    var form = input.form;
    if (form && !form.hasAttribute("data-size-checked")) {
      form.setAttribute("data-size-checked", "");
      form.addEventListener("submit", function (event) {
        var first = null;
        form.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (each) {
          if (check(each) && first === null) {
            first = each;
          }
        });
        if (first !== null) {
          event.preventDefault();
          first.focus();
        }
      });
    }
  });
})();
