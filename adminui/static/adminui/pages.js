// The pages' only script: live import progress, copy buttons, self-submitting selects, and the
// offer of the browser's time zone. No libraries, no other host, no inline script anywhere.
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

  // Numbers as the server writes them (Django's intcomma): 198,571.
  function count(value) {
    return Number(value).toLocaleString("en-US");
  }

  // The stylesheet's bar widths come in steps of 2% (classes w-0 ... w-100), like the server's.
  function barStep(percent) {
    if (!(percent > 0)) { return 0; }
    return Math.min(100, Math.max(2, Math.round(percent / 2) * 2));
  }

  function update(row, job) {
    var status = text(row, "status", job.status_label);
    if (status) { status.className = "badge " + job.status; }
    text(row, "records", count(job.records_done) + " / " + count(job.records_total) + " records (" + job.percent + "%)");
    text(row, "rate", job.rate ? count(job.rate) + "/s" : "—");
    text(row, "counts", count(job.inserted) + " / " + count(job.duplicates));
    notes(row, job);
    var bar = row.querySelector(".progress");
    if (bar) {
      bar.setAttribute("aria-valuenow", job.percent);
      bar.firstElementChild.className = "w-" + barStep(job.percent);
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

  // /me offers the browser's time zone (Intl API) in one click when it differs from the one set,
  // unless the listener chose to keep theirs for that zone (remembered in this browser only).
  function offerTimeZone() {
    var offer = document.getElementById("tz-offer");
    if (!offer || !window.Intl || !Intl.DateTimeFormat) { return; }
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var known = document.querySelector('#time-zones option[value="' + (zone || "").replace(/"/g, "") + '"]');
    var declined = "tz-declined:" + zone;
    var stored = null;
    try { stored = window.localStorage.getItem(declined); } catch (e) { /* storage off */ }
    if (!zone || !known || zone === offer.getAttribute("data-current") || stored) { return; }
    offer.querySelectorAll("[data-tz-name]").forEach(function (el) { el.textContent = zone; });
    offer.querySelector('input[name="time_zone"]').value = zone;
    offer.querySelector("[data-tz-dismiss]").addEventListener("click", function () {
      try { window.localStorage.setItem(declined, "1"); } catch (e) { /* storage off */ }
      offer.hidden = true;
    });
    offer.hidden = false;
  }

  // A table wider than its card scrolls sideways inside it (the stylesheet's rule for narrow
  // screens); it takes the keyboard's focus then, so it can be scrolled without a mouse too.
  function scrollableTables() {
    document.querySelectorAll("table.data").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.setAttribute("tabindex", "0");
      } else {
        table.removeAttribute("tabindex");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    scrollableTables();
    window.addEventListener("resize", scrollableTables);
    document.querySelectorAll("table[data-progress-url]").forEach(follow);
    copyButtons();
    autosubmit();
    offerTimeZone();
  });
})();
