/* Appeal pages: "Leave this page quickly" and the receipt's print button.
   Everything here is optional: without JavaScript the exit is a plain link and
   the browser's own print command prints the receipt. */
(function () {
  "use strict";

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

  // Escape pressed twice in a row also leaves.
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    if (now - lastEscape < 800) {
      var link = document.querySelector("a.quick-exit");
      if (link) leave(link.href);
    }
    lastEscape = now;
  });

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll(".js-print");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
  });
})();
