// The pages' few behaviours, kept out of the HTML so that the content security policy allows
// no inline script.
document.addEventListener("DOMContentLoaded", function () {
  // A select that submits its form when changed (the language, the dashboard's campaign).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // A page showing work still under way (a verification of the history) reloads until it is done.
  if (document.querySelector("[data-refresh-while-running]")) {
    setTimeout(function () { window.location.reload(); }, 2000);
  }
  // Follow imports that are still running: the progress bar and the message refresh every second.
  document.querySelectorAll("tr[data-job]").forEach(function (row) {
    if (row.dataset.status === "done" || row.dataset.status === "failed") return;
    var timer = setInterval(function () {
      fetch(row.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (job) {
        row.querySelector("progress").value = job.progress;
        row.querySelector(".job-message").textContent = job.message || "";
        if (job.status === "done" || job.status === "failed") { clearInterval(timer); window.location.reload(); }
      });
    }, 1000);
  });
});
