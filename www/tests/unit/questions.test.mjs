// Finding the way around an instrument (app/questions.js): the next visible question, links to
// questions, and which field an engine error is about, on the built-in HEAT instrument.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  sectionById,
  nextVisible,
  questionRoute,
  questionHref,
  questionLink,
  errorTarget,
} from "../../app/questions.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const HEAT = JSON.parse(fs.readFileSync(path.join(repo, "seeds/instruments/heat-v1.json"), "utf8"));
const question = (id) => HEAT.sections.flatMap((s) => s.questions).find((q) => q.id === id);

test("sectionById", () => {
  assert.equal(sectionById(HEAT, "assess")?.id, "assess");
  assert.equal(sectionById(HEAT, "nope"), undefined);
  assert.equal(sectionById(HEAT, undefined), undefined);
});

test("nextVisible walks forwards or backwards over hidden questions", () => {
  const s = { questions: ["a", "b", "c", "d"].map((id) => ({ id })) };
  const vis = new Set(["a", "d"]);
  assert.equal(nextVisible(s, 0, vis), 3);
  assert.equal(nextVisible(s, 3, vis), -1);
  assert.equal(nextVisible(s, 3, vis, -1), 0);
  assert.equal(nextVisible(s, 0, vis, -1), -1);
  assert.equal(nextVisible(s, -1, vis), 0, "from before the first");
  assert.equal(nextVisible(s, 1, new Set()), -1);
});

test("question routes and links: the section id encoded, `from` kept", () => {
  assert.equal(questionRoute("heat", "prepare", 2), "/heat/q/prepare/2");
  assert.equal(questionRoute("heat", "a b/c", 1, "check"), "/heat/q/a%20b%2Fc/1?from=check");
  assert.equal(questionHref("heat", "assess", 3, "all"), "#/heat/q/assess/3?from=all");
  const first = HEAT.sections[0];
  assert.equal(questionLink("heat", HEAT, first.questions[0].id), `#/heat/q/${first.id}/1`);
  const actions = sectionById(HEAT, "refine");
  const n = actions.questions.findIndex((q) => q.id === "refine.actions") + 1;
  assert.equal(questionLink("heat", HEAT, "refine.actions", "check"), `#/heat/q/refine/${n}?from=check`);
  assert.equal(questionLink("heat", HEAT, "no.such.question"), "#/heat/tasks");
});

test("errorTarget: a table error links to its row and column", () => {
  const q = question("refine.actions");
  const owner = q.kind.columns.find((c) => c.label === "Owner");
  const first = q.kind.columns[0];
  assert.equal(errorTarget(q, "row 2: fill in Owner"), `q--refine-actions--row--2--${owner.id}`);
  assert.equal(errorTarget(q, "row 3, Due date: not a date"), `q--refine-actions--row--3--${q.kind.columns[2].id}`);
  assert.equal(errorTarget(q, `row 1: fill in ${first.label}`), "q--refine-actions", "row 1's first cell is the field");
  assert.equal(errorTarget(q, "row 2: fill in No such column"), `q--refine-actions--row--2--${first.id}`);
  assert.equal(errorTarget(q, "add at least one action"), "q--refine-actions");
});

test("errorTarget: an evidence error links to its row; a checklist error to its item", () => {
  const ev = question("assess.evidence");
  assert.equal(
    errorTarget(ev, 'row 4: order 2 is used twice in dimension "IMD"'),
    "q--assess-evidence--row--4--dimension",
  );
  assert.equal(errorTarget(ev, "give at least two subgroups"), "q--assess-evidence");
  const dims = question("assess.dimensions");
  const [firstItem, second] = dims.kind.items;
  assert.equal(
    errorTarget(dims, `${second.id}: an impact needs the group considered`),
    `q--assess-dimensions--${second.id}`,
  );
  assert.equal(errorTarget(dims, `${firstItem.id}: an impact needs the group considered`), "q--assess-dimensions");
  assert.equal(errorTarget(dims, "unknown: not an item"), "q--assess-dimensions");
});
