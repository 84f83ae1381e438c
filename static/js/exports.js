/* A long export's page (sheets/export_status.html): follow its progress every second, offer the file once
   it is ready. */
(function () {
  "use strict";
  var box = document.getElementById("export");
  if (!box || box.dataset.status === "done" || box.dataset.status === "failed") return;
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
      document.getElementById("export-progress").value = d.percent;
      document.getElementById("export-percent").textContent = d.percent;
      document.getElementById("export-state").textContent = d.label;
      if (d.file) {
        document.getElementById("export-download").href = d.file;
        document.getElementById("export-ready").hidden = false;
        return;
      }
      if (d.status === "failed") { window.location.reload(); return; }
      window.setTimeout(poll, 1000);
    }).catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
