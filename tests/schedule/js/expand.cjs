// Expands a calendar's recurring event with ical.js (https://github.com/kewisch/ical.js,
// the parser behind Thunderbird's and many web calendars' iCalendar support) and prints
// every occurrence that starts before the given end year as a UTC instant, with the
// SUMMARY ical.js assigns it (overrides applied, EXDATEs skipped).
//   node expand.cjs FILE.ics END_YEAR
"use strict";
const fs = require("fs");
const ICAL = require("ical.js");

const [file, endYear] = process.argv.slice(2);
const comp = new ICAL.Component(ICAL.parse(fs.readFileSync(file, "utf8")));
for (const tz of comp.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(tz);
}
const vevents = comp.getAllSubcomponents("vevent");
// A single-meeting file holds one instance (RECURRENCE-ID) and no master.
const master = new ICAL.Event(vevents.find((v) => !v.hasProperty("recurrence-id")) || vevents[0]);
for (const v of vevents) {
  if (v.hasProperty("recurrence-id") && v !== master.component) {
    master.relateException(v);
  }
}
const out = [];
if (!master.isRecurring()) {
  out.push({ start: master.startDate.toJSDate().toISOString(), summary: master.summary });
}
const iter = master.isRecurring() ? master.iterator() : { next: () => null };
const limit = Number(endYear);
for (let next = iter.next(); next; next = iter.next()) {
  if (next.year >= limit) {
    break;
  }
  const details = master.getOccurrenceDetails(next);
  out.push({
    start: details.startDate.toJSDate().toISOString(),
    summary: details.item.summary,
  });
}
process.stdout.write(JSON.stringify(out));
