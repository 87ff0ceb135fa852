// Managed by Ansible (role meeting_schedule). Same-origin, no dependencies.
// Computes the meetings from the series' rule in the browser (the rule forms
// the role accepts: weekly on weekdays, monthly on n-th/last weekdays or days
// of the month; see meeting_schedule_lib/rules.py), so the page never runs out
// of meetings, and shows the next one in the visitor's own time zone and the
// upcoming ones in every listed zone, in the page's language (<html lang>).
"use strict";
(function (root) {
  var DAY = 86400000;

  // Offset (ms) of zone at instant t: the zone's wall clock read as UTC, minus t.
  var formats = {};
  function offset(zone, t) {
    var parts = {};
    var fmt = formats[zone] || (formats[zone] = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric",
      day: "numeric", hour: "numeric", minute: "numeric", second: "numeric"
    }));
    fmt.formatToParts(new Date(t)).forEach(function (p) { parts[p.type] = p.value; });
    var wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour,
      +parts.minute, +parts.second);
    return wall - Math.floor(t / 1000) * 1000;
  }

  // The instant of wall-clock time (UTC fields of `wall`) in zone. Of the
  // offsets around it, the one that reads back as that wall time; the earlier
  // instant when both do (a repeated hour); in a skipped hour the offset
  // before the change, as RFC 5545 (3.3.5) and zoneinfo do.
  function instant(zone, wall) {
    var before = offset(zone, wall - DAY), after = offset(zone, wall + DAY);
    var fits = [before, after].filter(function (o) {
      return offset(zone, wall - o) === o;
    }).map(function (o) { return wall - o; });
    return fits.length ? Math.min.apply(null, fits) : wall - before;
  }

  function iso(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }

  // Local meeting dates (as UTC midnights) of one period of the rule.
  function periodDays(rule, year, month, weekStart) {
    var days = [];
    if (rule.freq === "WEEKLY") {
      rule.weekdays.forEach(function (w) { days.push(weekStart + w[1] * DAY); });
    } else {
      var first = Date.UTC(year, month, 1);
      var length = (Date.UTC(year, month + 1, 1) - first) / DAY;
      var firstWeekday = (new Date(first).getUTCDay() + 6) % 7; // 0 = Monday
      rule.weekdays.forEach(function (w) {
        var n = w[0], day;
        if (n > 0) {
          day = 1 + ((w[1] - firstWeekday + 7) % 7) + (n - 1) * 7;
        } else {
          var lastWeekday = (firstWeekday + length - 1) % 7;
          day = length - ((lastWeekday - w[1] + 7) % 7);
        }
        if (day >= 1 && day <= length) { days.push(first + (day - 1) * DAY); }
      });
      rule.monthdays.forEach(function (d) {
        var day = d === -1 ? length : d;
        if (day <= length) { days.push(first + (day - 1) * DAY); }
      });
    }
    return days.sort(function (a, b) { return a - b; })
      .filter(function (d, i, all) { return i === 0 || all[i - 1] !== d; });
  }

  // Meetings of the series ending after `from` (ms), at most `limit` of them.
  function meetings(data, from, limit) {
    var rule = data.rule;
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(data.dtstart);
    var startDay = Date.UTC(+m[1], +m[2] - 1, +m[3]);
    var timeOfDay = (+m[4] * 60 + +m[5]) * 60000;
    var length = data.minutes * 60000;
    var until = rule.until ? Date.parse(rule.until) : Infinity;
    var cancelled = {};
    data.cancelled.forEach(function (d) { cancelled[d] = true; });
    var found = [], count = 0;
    var weekStart = startDay - ((new Date(startDay).getUTCDay() + 6) % 7) * DAY;
    var year = +m[1], month = +m[2] - 1;
    for (var period = 0; period < 5000 && found.length < limit; period++) {
      var days;
      if (rule.freq === "WEEKLY") {
        days = periodDays(rule, 0, 0, weekStart + period * rule.interval * 7 * DAY);
      } else {
        var total = month + period * rule.interval;
        var y = year + Math.floor(total / 12), mo = total % 12;
        days = rule.months.length && rule.months.indexOf(mo + 1) < 0 ? [] :
          periodDays(rule, y, mo, 0);
      }
      for (var i = 0; i < days.length; i++) {
        if (days[i] < startDay) { continue; }
        var start = instant(data.zone, days[i] + timeOfDay);
        if (start > until || (rule.count && count >= rule.count)) { return found; }
        count++;
        var date = iso(days[i]);
        if (start + length > from && !cancelled[date]) {
          found.push({ date: date, start: start, end: start + length,
            note: data.notes[date] || "" });
          if (found.length >= limit) { return found; }
        }
      }
    }
    return found;
  }

  root.scheduleMeetings = meetings;
  if (typeof module === "object" && module.exports) {
    module.exports = { meetings: meetings };
  }
  if (typeof document === "undefined") {
    return;
  }

  var dataEl = document.getElementById("schedule-data");
  var out = document.getElementById("next-meeting");
  if (!dataEl || !out) {
    return;
  }
  var data = JSON.parse(dataEl.textContent);
  var now = Date.now();
  var lang = document.documentElement.lang || undefined;
  var files = {};
  data.occurrences.forEach(function (o) { if (o.ics) { files[o.date] = o.ics; } });

  // Hide meetings that are over; the table keeps the upcoming ones.
  var rows = document.querySelectorAll("tr[data-end]");
  var listed = 0;
  for (var i = 0; i < rows.length; i++) {
    if (Date.parse(rows[i].getAttribute("data-end")) <= now) {
      rows[i].hidden = true;
    } else {
      listed++;
    }
  }

  var upcoming = meetings(data, now, 12);
  var next = upcoming[0];
  if (!next) {
    out.textContent = "The meeting series has ended.";
    return;
  }
  var startText = new Date(next.start).toISOString().replace(/\.000Z$/, "Z");

  // Fewer than a year of meetings left in the table: add rows computed here.
  var body = document.querySelector("#dates tbody");
  if (body && listed < 12) {
    upcoming.forEach(function (occ) {
      var iso8601 = new Date(occ.start).toISOString().replace(/\.000Z$/, "Z");
      if (document.querySelector('tr[data-start="' + iso8601 + '"]')) { return; }
      var row = document.createElement("tr");
      row.setAttribute("data-start", iso8601);
      row.setAttribute("data-end", new Date(occ.end).toISOString().replace(/\.000Z$/, "Z"));
      row.setAttribute("data-computed", "");
      var head = document.createElement("th");
      head.scope = "row";
      var time = document.createElement("time");
      time.setAttribute("datetime", iso8601);
      time.textContent = occ.date;
      head.appendChild(time);
      if (occ.note) {
        head.appendChild(document.createElement("br"));
        var note = document.createElement("span");
        note.className = "note";
        note.textContent = occ.note;
        head.appendChild(note);
      }
      row.appendChild(head);
      data.zones.forEach(function (zone) {
        var cell = document.createElement("td");
        cell.textContent = new Intl.DateTimeFormat(lang, {
          timeZone: zone, weekday: "short", day: "numeric", month: "short", year: "numeric",
          hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
        }).format(new Date(occ.start));
        row.appendChild(cell);
      });
      var link = document.createElement("td");
      if (files[occ.date]) {
        var a = document.createElement("a");
        a.href = files[occ.date];
        a.setAttribute("download", "");
        a.textContent = ".ics";
        link.appendChild(a);
      }
      row.appendChild(link);
      body.appendChild(row);
    });
  }

  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
  var format = new Intl.DateTimeFormat(lang, {
    weekday: "long", day: "numeric", month: "long", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
  });
  var time = document.createElement("time");
  time.setAttribute("datetime", startText);
  time.id = "next-local";
  time.textContent = format.format(new Date(next.start));

  out.textContent = "";
  out.setAttribute("data-start", startText);
  out.setAttribute("data-zone", zone);
  out.appendChild(document.createTextNode(next.start <= now ? "Happening now (started " : ""));
  var strong = document.createElement("strong");
  strong.appendChild(time);
  out.appendChild(strong);
  out.appendChild(document.createTextNode(
    (next.start <= now ? ")" : "") + " in your time zone (" + zone + ")."));
  if (next.note) {
    out.appendChild(document.createElement("br"));
    out.appendChild(document.createTextNode("Theme: " + next.note));
  }

  var row = document.querySelector('tr[data-start="' + startText + '"]');
  if (row) {
    row.classList.add("next");
    row.setAttribute("aria-current", "date");
  }
  var download = document.getElementById("next-download");
  if (download && files[next.date]) {
    download.setAttribute("href", files[next.date]);
    download.hidden = false;
  }
})(typeof window === "undefined" ? globalThis : window);
