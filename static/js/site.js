/* Small enhancements shared by every page; the site works the same without them.
   - The error summary takes focus after a failed submit (autofocus does it where supported; this is the fallback),
     and its links focus the control and scroll its label or legend into view (as GOV.UK's error summary does).
   - An error shown while typing (htmx inline validation) marks the control as an error after submit does:
     red border (.has-error) and aria-invalid, and removes both once the error is gone. */
(function () {
  "use strict";

  function focusSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary && !summary.contains(document.activeElement)) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", focusSummary);

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".error-summary a[href^='#']") : null;
    if (!link) return;
    var control = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!control) return;
    event.preventDefault();
    var fieldset = control.closest("fieldset");
    var label = (fieldset && fieldset.querySelector("legend")) || document.querySelector("label[for='" + control.id + "']") || control;
    label.scrollIntoView();
    control.focus({ preventScroll: true });
  });

  function syncField(slot) {
    var control = document.getElementById(slot.id.replace(/-error$/, ""));
    if (!control) return;
    var failed = slot.textContent.trim() !== "";
    var field = slot.closest(".field");
    if (field) field.classList.toggle("has-error", failed);
    if (!/^(INPUT|SELECT|TEXTAREA)$/.test(control.tagName)) return;
    if (failed) control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
  }

  document.addEventListener("htmx:afterSettle", function () {
    var slots = document.querySelectorAll(".field-error[id$='-error']");
    for (var i = 0; i < slots.length; i++) syncField(slots[i]);
  });
})();
