// Small progressive enhancements, kept out of the HTML so that the content security policy
// allows no inline script; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // A button or form with data-confirm asks before an action that cannot be taken back.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var text = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (text && !window.confirm(text)) {
      event.preventDefault();
      return;
    }
    // A long piece of work says so while it runs, and is not sent twice.
    var busy = event.target.getAttribute("data-busy");
    if (busy && !event.defaultPrevented) {
      var note = document.createElement("p");
      note.className = "busy";
      note.setAttribute("role", "status");
      note.innerHTML = "<progress></progress> ";
      note.appendChild(document.createTextNode(busy));
      event.target.appendChild(note);
      window.setTimeout(function () {
        event.target.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
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
    // A page showing work still under way (a verification of the history) reloads until done.
    if (document.querySelector("[data-refresh-while-running]")) {
      window.setTimeout(function () { window.location.reload(); }, 2000);
    }
    // Imports still running: the progress bar and the message refresh every second.
    document.querySelectorAll("tr[data-job]").forEach(function (row) {
      if (row.dataset.status === "done" || row.dataset.status === "failed") { return; }
      var timer = window.setInterval(function () {
        fetch(row.dataset.url, {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (job) {
            row.querySelector("progress").value = job.progress;
            row.querySelector(".job-message").textContent = job.message || "";
            if (job.status === "done" || job.status === "failed") {
              window.clearInterval(timer);
              window.location.reload();
            }
          });
      }, 1000);
    });
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
