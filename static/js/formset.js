/* NHCS: rows of a Django formset added and removed in the page (order lines, BOM rows).

   Markup (orders/templates/orders/_lines_formset.html, bom_form.html):
   - a table [data-formset=PREFIX] whose <tbody data-formset-body> holds the rows [data-formset-row];
     rows not saved yet carry [data-formset-new];
   - <template data-formset-empty=PREFIX>: the formset's empty_form as a row, its names with __prefix__;
   - a hidden button [data-formset-add=PREFIX], shown here;
   - in each row the DELETE box in [data-formset-delete] and a hidden button [data-formset-remove].

   "Add" appends a copy of the empty row with the next index and counts it in PREFIX-TOTAL_FORMS.
   "Remove" ticks the row's DELETE box, which the formset honours: a row not saved yet is hidden, a
   saved one is struck through until the form is saved, and a second click takes the removal back.
   Without this script the DELETE boxes stay visible and work as they are. */
(function () {
  "use strict";

  function markRemoved(row, removed) {
    var box = row.querySelector("[data-formset-delete] input[type=checkbox]");
    var button = row.querySelector("[data-formset-remove]");
    if (box) box.checked = removed;
    row.classList.toggle("formset-removed", removed);
    if (button) {
      button.textContent = removed ? button.dataset.undoText : button.dataset.removeText;
      button.setAttribute("aria-pressed", removed ? "true" : "false");
    }
  }

  function wire(row) {
    var label = row.querySelector("[data-formset-delete]");
    var button = row.querySelector("[data-formset-remove]");
    if (!label || !button) return;
    label.hidden = true;
    button.hidden = false;
    var box = label.querySelector("input[type=checkbox]");
    if (box && box.checked) {
      markRemoved(row, true);
      row.hidden = row.hasAttribute("data-formset-new");
    }
    button.addEventListener("click", function () {
      if (row.hasAttribute("data-formset-new")) {
        // Kept in the form, hidden and marked for deletion: the formset then skips it, filled or not.
        markRemoved(row, true);
        row.hidden = true;
      } else {
        markRemoved(row, !row.classList.contains("formset-removed"));
      }
    });
  }

  document.querySelectorAll("[data-formset-add]").forEach(function (add) {
    var prefix = add.dataset.formsetAdd;
    var body = document.querySelector('[data-formset="' + prefix + '"] [data-formset-body]');
    var template = document.querySelector('template[data-formset-empty="' + prefix + '"]');
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!body || !template || !total) return;
    body.querySelectorAll("[data-formset-row]").forEach(wire);
    add.hidden = false;
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) return;
      var holder = document.createElement("tbody");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.querySelector("[data-formset-row]");
      body.appendChild(row);
      total.value = String(index + 1);
      wire(row);
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    });
  });
})();
