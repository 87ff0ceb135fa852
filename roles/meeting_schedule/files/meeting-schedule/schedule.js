// Managed by Ansible (role meeting_schedule). Same-origin, no dependencies.
// Shows the next meeting in the visitor's own time zone, computed in the
// browser from the UTC instants embedded in the page, so it never goes stale.
"use strict";
(function () {
  var dataEl = document.getElementById("schedule-data");
  var out = document.getElementById("next-meeting");
  if (!dataEl || !out) {
    return;
  }
  var data = JSON.parse(dataEl.textContent);
  var now = Date.now();
  var lang = document.documentElement.lang || undefined;

  // Hide meetings that are over; the table keeps the upcoming ones.
  var rows = document.querySelectorAll("tr[data-end]");
  for (var i = 0; i < rows.length; i++) {
    if (Date.parse(rows[i].getAttribute("data-end")) <= now) {
      rows[i].hidden = true;
    }
  }

  var next = null;
  for (var j = 0; j < data.occurrences.length; j++) {
    var occ = data.occurrences[j];
    if (!occ.cancelled && Date.parse(occ.end) > now) {
      next = occ;
      break;
    }
  }
  if (!next) {
    out.textContent = "No further meetings are listed on this page yet. " +
      "Subscribe to the calendar to receive new dates.";
    return;
  }

  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
  var format = new Intl.DateTimeFormat(lang, {
    weekday: "long", day: "numeric", month: "long", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
  });
  var start = new Date(next.start);
  var time = document.createElement("time");
  time.setAttribute("datetime", next.start);
  time.id = "next-local";
  time.textContent = format.format(start);

  out.textContent = "";
  out.setAttribute("data-start", next.start);
  out.setAttribute("data-zone", zone);
  out.appendChild(document.createTextNode(
    Date.parse(next.start) <= now ? "Happening now (started " : ""));
  var strong = document.createElement("strong");
  strong.appendChild(time);
  out.appendChild(strong);
  out.appendChild(document.createTextNode(
    (Date.parse(next.start) <= now ? ")" : "") + " in your time zone (" + zone + ")."));
  if (next.note) {
    out.appendChild(document.createElement("br"));
    out.appendChild(document.createTextNode("Theme: " + next.note));
  }

  var row = document.querySelector('tr[data-start="' + next.start + '"]');
  if (row) {
    row.classList.add("next");
    row.setAttribute("aria-current", "date");
  }
  var download = document.getElementById("next-download");
  if (download && next.ics) {
    download.setAttribute("href", next.ics);
    download.hidden = false;
  }
})();
