// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // A button or form with data-confirm asks before an action that cannot be taken back.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var text = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (text && !window.confirm(text)) {
      event.preventDefault();
    }
  }, true);

  function ready() {
    // The navigation collapses behind a menu button on narrow screens.
    var toggle = document.getElementById("menu-toggle");
    var header = document.querySelector("header.top");
    if (toggle && header) {
      toggle.addEventListener("click", function () {
        var open = header.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    // A select that applies itself (the language switch) submits its form when changed.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    focusableScrolls();
    window.addEventListener("resize", focusableScrolls);
  }

  // A table wider than the screen scrolls in its own box, reachable from the keyboard.
  function focusableScrolls() {
    document.querySelectorAll(".scroll, table.data").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); }
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
