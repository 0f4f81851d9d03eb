// Text for people and numbers from people: dates and times (app/format.js, app/form.js), file
// names, parsing what was typed in a number field, messages as sentences, checklist families.
import { test } from "node:test";
import assert from "node:assert/strict";
import { when, exportFileName, unreadableFileName, today } from "../../app/format.js";
import {
  formatDate,
  parseNumber,
  numberError,
  dateParts,
  dateFromParts,
  sentence,
  familyLabel,
  byFamily,
  isAnswered,
} from "../../app/form.js";

test("when: a timestamp as a date and a time, in the browser's time zone; anything else as it is", () => {
  const zone = process.env.TZ;
  try {
    process.env.TZ = "Europe/London";
    assert.equal(when("2026-01-06T17:30:00Z"), "6 January 2026 at 17:30");
    assert.equal(when("2026-07-06T17:30:00Z"), "6 July 2026 at 18:30", "British Summer Time");
    process.env.TZ = "UTC";
    assert.equal(when("2026-07-06T17:30:00Z"), "6 July 2026 at 17:30");
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
  assert.equal(when("not a time"), "not a time");
});

test("file names: the instrument and the day", () => {
  const now = new Date("2026-03-27T23:59:59Z");
  assert.equal(exportFileName("heat", now), "equitas-heat-2026-03-27.json");
  assert.equal(
    unreadableFileName("heat", "2026-01-06T17:30:00.000Z", now),
    "equitas-heat-could-not-be-opened-2026-01-06.json",
    "dated when it was set aside",
  );
  assert.equal(
    unreadableFileName("hi-maturity", null, now),
    "equitas-hi-maturity-could-not-be-opened-2026-03-27.json",
    "a draft never set aside is dated today",
  );
});

test("formatDate: a real YYYY-MM-DD in words; anything else as typed", () => {
  assert.equal(formatDate("2026-01-12"), "12 January 2026");
  assert.equal(formatDate(" 2024-02-29 "), "29 February 2024");
  assert.equal(formatDate("2026-02-30"), "2026-02-30", "no such day");
  assert.equal(formatDate("2026-13-01"), "2026-13-01", "no such month");
  assert.equal(formatDate("12/01/2026"), "12/01/2026");
  assert.equal(formatDate("next March"), "next March");
});

test("parseNumber: blank is no answer, commas group thousands, anything else is NaN", () => {
  assert.equal(parseNumber(""), undefined);
  assert.equal(parseNumber("   "), undefined);
  assert.equal(parseNumber("12"), 12);
  assert.equal(parseNumber(" 3.5 "), 3.5);
  assert.equal(parseNumber("1,234,567"), 1234567);
  assert.equal(parseNumber("-.5"), -0.5);
  assert.equal(parseNumber("+7."), 7);
  assert.equal(parseNumber("1e3"), 1000);
  assert.equal(parseNumber("2.5E-2"), 0.025);
  for (const bad of ["12%", "3,5.1.2", "1e", "e3", "0x10", "Infinity", "NaN", "١٢", "12 people", "--1", "."]) {
    assert.ok(Number.isNaN(parseNumber(bad)), `${JSON.stringify(bad)} is not a number`);
  }
});

test("sentence: an engine message with a capital first letter", () => {
  assert.equal(sentence("fill in the owner"), "Fill in the owner");
  assert.equal(sentence(""), "");
  assert.equal(sentence(42), "42");
});

test("familyLabel and byFamily: checklist items grouped by family, in the instrument's order", () => {
  assert.equal(familyLabel("inclusion_health"), "Inclusion health groups");
  assert.equal(familyLabel("plus_cyp"), "PLUS groups for children and young people");
  assert.equal(familyLabel("local-priorities"), "Local priorities");
  assert.equal(familyLabel(undefined), "Other");
  assert.equal(familyLabel("constructor"), "Constructor", "a family id is never looked up on the prototype");
  const items = [
    { id: "a", family: "geography" },
    { id: "b" },
    { id: "c", family: "geography" },
    { id: "d", family: "plus" },
  ];
  assert.deepEqual(
    byFamily(items).map(([f, its]) => [f, its.map((i) => i.id)]),
    [
      ["geography", ["a", "c"]],
      ["", ["b"]],
      ["plus", ["d"]],
    ],
  );
});

test("isAnswered: something said, for every kind of answer", () => {
  for (const no of [undefined, null, "", "  ", [], ["  "], [{ action: " " }], Number.NaN, Infinity, {}, { rows: [] }]) {
    assert.equal(isAnswered(no), false, JSON.stringify(no));
  }
  const checklist = { age: { considered: false, note: "later" } };
  assert.equal(isAnswered(checklist), false, "a checklist with nothing considered");
  checklist.sex = { considered: true };
  for (const yes of ["x", ["a"], [{ action: "Run a clinic" }], 0, { rows: [{}] }, checklist, true]) {
    assert.equal(isAnswered(yes), true, JSON.stringify(yes));
  }
});

test("parseNumber: a decimal comma is refused, never read as thousands", () => {
  for (const bad of ["42,1", "0,5", "1,23", "1,2345", ",5", "12,3.4"]) {
    assert.ok(Number.isNaN(parseNumber(bad)), `${JSON.stringify(bad)} is refused`);
  }
  assert.equal(parseNumber("1,234.5"), 1234.5);
  assert.equal(parseNumber("-12,345"), -12345);
  assert.equal(
    numberError("42,1", "Enter a number, like 41.2"),
    '"42,1" has a decimal comma: use a full stop, like 42.1 (a comma can only separate thousands, like 1,234)',
  );
  assert.equal(
    numberError(" 12 people ", "Enter a number, like 41.2"),
    '"12 people" is not a number: enter a number, like 41.2',
  );
});

test("date input: a saved date split into day, month and year, and put back together", () => {
  assert.deepEqual(dateParts("2026-03-07"), { day: "7", month: "3", year: "2026" });
  assert.deepEqual(dateParts("07/03/2026"), { day: "", month: "", year: "" }, "not ISO: left to the engine's error");
  assert.deepEqual(dateParts(undefined), { day: "", month: "", year: "" });
  assert.deepEqual(dateFromParts({ day: "7", month: "3", year: "2026" }, "Date"), { value: "2026-03-07" });
  assert.deepEqual(dateFromParts({ day: " 31 ", month: "12", year: "2026" }, "Date"), { value: "2026-12-31" });
  assert.deepEqual(dateFromParts({ day: "", month: " ", year: "" }, "Date"), {});
  assert.deepEqual(dateFromParts({ day: "7", month: "", year: "" }, "Review date"), {
    error: "Review date must include a month and a year",
  });
  assert.deepEqual(dateFromParts({ day: "7", month: "March", year: "2026" }, "Date"), {
    error: 'Month "March" must be a number, like 3',
  });
  assert.deepEqual(dateFromParts({ day: "7", month: "3", year: "26" }, "Date"), {
    error: 'Year "26" must include 4 numbers, like 2026',
  });
  assert.deepEqual(dateFromParts({ day: "123", month: "3", year: "2026" }, "Date"), {
    error: 'Day "123" must be a number, like 27',
  });
  // 30 February has the right shape: the engine says it is not a date.
  assert.deepEqual(dateFromParts({ day: "30", month: "2", year: "2026" }, "Date"), { value: "2026-02-30" });
});

test("today: the local calendar day as YYYY-MM-DD", () => {
  assert.equal(today(new Date(2026, 0, 5, 23, 59)), "2026-01-05");
  assert.equal(today(new Date(2026, 11, 31, 0, 0)), "2026-12-31");
});

test("labelled: a question's label and a message, never '.:' or '?:'", async () => {
  const { labelled } = await import("../../app/pages/check.js");
  assert.equal(labelled("Owner", "Fill in the owner"), "Owner: Fill in the owner");
  assert.equal(
    labelled("Resources are allocated in proportion to need.", "Choose one option"),
    "Resources are allocated in proportion to need. Choose one option",
  );
  assert.equal(labelled("Who is affected? ", "Choose one option"), "Who is affected? Choose one option");
});

test("csvCell: quoted when needed, formulas defused, numbers in full", async () => {
  const { csvCell } = await import("../../app/download.js");
  assert.equal(csvCell("plain"), "plain");
  assert.equal(csvCell('a "b", c'), '"a ""b"", c"');
  assert.equal(csvCell("=SUM(A1)"), "'=SUM(A1)");
  assert.equal(csvCell("-x,y"), `"'-x,y"`);
  assert.equal(csvCell(-0.125), "-0.125");
  assert.equal(csvCell(0.1 + 0.2), "0.30000000000000004");
  assert.equal(csvCell(null), "");
  assert.equal(csvCell(Number.NaN), "");
});
