// Runs the page's own date computation (roles/meeting_schedule/files/meeting-schedule/schedule.js)
// in node on the page data the role embeds, and prints the meetings as UTC instants.
//   node meetings.cjs PAGE_DATA.json FROM_ISO LIMIT
"use strict";
const fs = require("fs");
const path = require("path");
const { meetings } = require(path.resolve(__dirname,
  "../../../roles/meeting_schedule/files/meeting-schedule/schedule.js"));

const [file, from, limit] = process.argv.slice(2);
const data = JSON.parse(fs.readFileSync(file, "utf8"));
const found = meetings(data, Date.parse(from), Number(limit));
process.stdout.write(JSON.stringify(found.map((m) => ({
  date: m.date, start: new Date(m.start).toISOString(), note: m.note,
}))));
