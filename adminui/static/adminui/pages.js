// The pages' only script: live import progress, copy buttons, self-submitting selects. No libraries, no other host.
(function () {
  "use strict";

  // Import tables carry data-progress-url; each unfinished row (data-finished="0") is refreshed
  // from it every second until every job has finished.
  function text(row, field, value) {
    var cell = row.querySelector('[data-field="' + field + '"]');
    if (cell) { cell.textContent = value; }
    return cell;
  }

  function notes(row, job) {
    var cell = row.querySelector('[data-field="notes"]');
    if (!cell) { return; }
    cell.textContent = "";
    job.warnings.forEach(function (w) { append(cell, "problem warn", w); });
    job.errors.forEach(function (e) { append(cell, "problem bad", e); });
  }

  function append(parent, className, value) {
    var div = document.createElement("div");
    div.className = className;
    div.textContent = value;
    parent.appendChild(div);
  }

  function update(row, job) {
    var status = text(row, "status", job.status_label);
    if (status) { status.className = "badge " + job.status; }
    text(row, "records", job.records_done + " / " + job.records_total + " records (" + job.percent + "%)");
    text(row, "rate", job.rate ? job.rate + "/s" : "—");
    text(row, "counts", job.inserted + " / " + job.duplicates);
    notes(row, job);
    var bar = row.querySelector(".progress");
    if (bar) {
      bar.setAttribute("aria-valuenow", job.percent);
      bar.firstElementChild.setAttribute("width", job.percent);
    }
    row.setAttribute("data-finished", job.finished ? "1" : "0");
  }

  function follow(table) {
    var url = table.getAttribute("data-progress-url");
    function tick() {
      var rows = table.querySelectorAll('tr[data-finished="0"]');
      if (!rows.length) { return; }
      var ids = Array.prototype.map.call(rows, function (r) { return r.getAttribute("data-job"); });
      fetch(url + "?ids=" + ids.join(","), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { jobs: [] }; })
        .then(function (data) {
          data.jobs.forEach(function (job) {
            var row = table.querySelector('tr[data-job="' + job.id + '"]');
            if (row) { update(row, job); }
          });
        })
        .catch(function () { /* a missed tick is retried by the next one */ })
        .then(function () { setTimeout(tick, 1000); });
    }
    tick();
  }

  function copyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        if (!source || !navigator.clipboard) { return; }
        navigator.clipboard.writeText(source.textContent).then(function () {
          button.textContent = "Copied";
        });
      });
    });
  }

  // A select marked data-autosubmit (the charts' period) submits its form when changed.
  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-progress-url]").forEach(follow);
    copyButtons();
    autosubmit();
  });
})();
