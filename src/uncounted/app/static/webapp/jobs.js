/* Poll running background jobs, show their progress, reload when one finishes. */
(function () {
  "use strict";
  document.querySelectorAll(".job[data-status='running']").forEach(function (box) {
    var timer = setInterval(function () {
      fetch(box.dataset.url, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          box.querySelector(".job-status").textContent = job.status;
          box.querySelector(".job-elapsed").textContent = job.elapsed_s + " s";
          box.querySelector(".job-output").textContent = job.output;
          if (job.total) {
            box.querySelector(".progress").classList.remove("running");
            box.querySelector(".job-bar").style.width = (100 * job.done / job.total) + "%";
            box.querySelector(".job-count").textContent = job.done + " / " + job.total;
          }
          if (job.status !== "running") { clearInterval(timer); window.location.reload(); }
        });
    }, 1000);
  });
})();
