// Text for people and numbers from people: dates and times (app/format.js, app/form.js), file
// names, parsing what was typed in a number field, messages as sentences, checklist families.
import { test } from "node:test";
import assert from "node:assert/strict";
import { when, exportFileName, unreadableFileName } from "../../app/format.js";
import { formatDate, parseNumber, sentence, familyLabel, byFamily, isAnswered } from "../../app/form.js";

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
