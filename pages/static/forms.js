// Repeated rows of the forms that write (a new person's certificates and training results): the page
// offers a few empty rows and works without this script; with it, "再添加一…" adds another empty row.
// Served from this site (the content security policy allows no inline script).
"use strict";

(function () {
  var MAX_ROWS = 20;

  function renumber(node, prefix, from, to) {
    ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
      var value = node.getAttribute(attr);
      if (value) {
        node.setAttribute(attr, value.split(prefix + "-" + from + "-").join(prefix + "-" + to + "-"));
      }
    });
  }

  function forget(node) {
    node.removeAttribute("aria-invalid");
    node.removeAttribute("autofocus");
    var described = node.getAttribute("aria-describedby");
    if (described) {
      var kept = described.split(" ").filter(function (id) {
        return id && !/-error$/.test(id);
      });
      if (kept.length) {
        node.setAttribute("aria-describedby", kept.join(" "));
      } else {
        node.removeAttribute("aria-describedby");
      }
    }
  }

  function addRow(button) {
    var prefix = button.getAttribute("data-add-row");
    var rows = document.querySelectorAll('fieldset[data-row="' + prefix + '"]');
    if (!rows.length || rows.length >= MAX_ROWS) {
      return;
    }
    var last = rows[rows.length - 1];
    var from = last.getAttribute("data-index");
    var to = String(Number(from) + 1);
    var row = last.cloneNode(true);
    row.setAttribute("data-index", to);
    row.querySelectorAll(".field-error").forEach(function (e) {
      e.remove();
    });
    row.querySelectorAll(".has-error").forEach(function (e) {
      e.classList.remove("has-error");
    });
    row.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (node) {
      renumber(node, prefix, from, to);
      forget(node);
    });
    row.querySelectorAll("input").forEach(function (input) {
      input.value = "";
    });
    row.querySelectorAll("select").forEach(function (select) {
      select.selectedIndex = 0;
    });
    var legend = row.querySelector("legend");
    if (legend) {
      legend.textContent = legend.textContent.replace(/\d+/, String(Number(to) + 1));
    }
    last.parentNode.insertBefore(row, last.nextSibling);
    var first = row.querySelector("input, select");
    if (first) {
      first.focus();
    }
    if (rows.length + 1 >= MAX_ROWS) {
      button.hidden = true;
    }
  }

  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      addRow(button);
    });
  });
})();
