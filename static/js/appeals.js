/* Appeal pages: "Leave this page quickly" and the receipt's print button.
   Everything here is optional: without JavaScript the exit is a plain link and
   the browser's own print command prints the receipt.

   The keyboard shortcut follows GOV.UK's "Exit this page" component: the Shift key pressed
   three times within five seconds, with no other key in between. Typing cannot trigger it:
   a capital letter is Shift held with another key, which starts the count again, and Escape
   (which closes pickers and menus) does nothing here. The page says so next to the button. */
(function () {
  "use strict";

  var PRESSES = 3;
  var WINDOW_MS = 5000;

  function leave(href) {
    // Blank the page at once, then replace it so "Back" does not return here.
    document.title = "";
    document.body.innerHTML = "";
    window.location.replace(href);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.quick-exit") : null;
    if (link) {
      event.preventDefault();
      leave(link.href);
    }
  });

  var count = 0;
  var timer = null;
  var lastKeyWasModified = false;

  function say(text) {
    var status = document.getElementById("quick-exit-status");
    if (status) status.textContent = text;
  }

  function reset() {
    count = 0;
    if (timer) window.clearTimeout(timer);
    timer = null;
  }

  document.addEventListener("keyup", function (event) {
    var link = document.querySelector("a.quick-exit");
    if (!link) return;
    if (event.key === "Shift" && !lastKeyWasModified) {
      count += 1;
      if (count >= PRESSES) {
        reset();
        leave(link.href);
        return;
      }
      var hint = document.getElementById("quick-exit-hint");
      if (hint) say(PRESSES - count === 1 ? hint.dataset.once : hint.dataset.twice);
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(function () { reset(); say(""); }, WINDOW_MS);
    } else if (count > 0) {
      reset();
      say("");
    }
    lastKeyWasModified = event.shiftKey;
  });

  document.addEventListener("DOMContentLoaded", function () {
    var hint = document.getElementById("quick-exit-hint");
    if (hint) hint.hidden = false;
    var buttons = document.querySelectorAll(".js-print");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
  });
})();
