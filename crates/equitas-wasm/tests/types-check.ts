// Compile-time check of the committed `equitas_wasm.d.ts` (the assessment engine),
// `equitas_measures.d.ts` (the data page's measures) and `equitas_cohort.d.ts` (the cohort
// classifier): every export called with correctly shaped values, and its result used as the app
// uses it. Nothing runs; `tsc` failing is the test.
//
// `cargo xtask test` runs this with the TypeScript pinned in www/package.json; by hand:
//   cd crates/equitas-wasm && ../../www/node_modules/.bin/tsc --noEmit --strict --target es2022 \
//     --module es2022 --moduleResolution bundler --lib es2022,dom tests/types-check.ts
// `@ts-expect-error` lines check that wrong shapes are refused (tsc fails if they are accepted).

import init, * as eq from "../equitas_wasm.js";
import initMeasures, * as measures from "../equitas_measures.js";
import initCohort, * as cohort from "../equitas_cohort.js";

export async function check(csv: string, fileText: string): Promise<void> {
  await init();
  await initMeasures();
  await initCohort();

  const listed: eq.InstrumentListing[] = eq.instruments();
  const firstSection: string | undefined = listed[0]?.sections[0]?.title;
  const heat: eq.Instrument = eq.instrument("heat");
  for (const section of heat.sections) {
    for (const q of section.questions) {
      const kind: eq.Kind = q.kind;
      if (kind.type === "single_choice") {
        const ids: string[] = kind.options.map((o) => o.id);
        void ids;
      }
    }
  }
  const added: eq.InstrumentRef = eq.addInstrument(JSON.stringify(heat));
  const version: number = added.version;

  const draft: eq.SavedFile = eq.newAssessment("heat", new Date().toISOString());
  draft.answers["prepare.title"] = "Smoking cessation redesign";
  draft.answers["prepare.involvement"] = ["analysts", "vcse"];
  draft.answers["prepare.coproduction"] = null;
  const errors: eq.FieldError[] = eq.validateAssessment(draft);
  const problem: eq.Problem | undefined = errors[0]?.problem;
  const progress: eq.SectionProgress[] = eq.assessmentProgress(draft);
  const status: "not_started" | "in_progress" | "completed" | undefined = progress[0]?.status;
  const visible: string[] = eq.visibleQuestions(draft);
  const model: eq.ReportModel = eq.scoreAssessment(draft);
  const report: eq.Report = model.report;
  const overall: number = report.overall;
  const band: string | undefined = report.band?.label;
  const measureName: string | undefined = model.measures[0]?.name;
  const ridit: number | null | undefined = model.charts[0]?.points[0]?.ridit;

  const loaded: eq.LoadedFile = eq.loadAssessment(fileText);
  const notes: string[] = loaded.notes.map((n) => n.message);
  const summary: eq.Summary = eq.summariseAssessments([loaded.assessment, draft], "2026-06-01");
  const asOf: string = summary.as_of;

  const measured: measures.MeasuredFile = measures.measureHeatPlus(csv);
  const again: measures.MeasuredFile = measures.measureHeatPlus(csv, { compat: "healthequal", seed: 7, simulations: 1000 });
  const sii: measures.MeasureLine[] = again.tables.flatMap((t) => t.measures.filter((m) => m.measure === "sii"));
  const stratumKey: measures.StratumKey | undefined = measured.tables[0]?.key;
  const lineStart: number | null | undefined = measured.tables[0]?.chart.sii?.at0;
  const note: measures.NotePart | undefined = measured.tables[0]?.chart.notes[0]?.[0];

  const person: cohort.MembershipReport = cohort.classifyPerson({ id: "p1", age: 47, imd_decile: 2, conditions: ["smi"] });
  const core20: boolean | null = person.core20;
  const quintile: number = cohort.imdQuintile(3);
  const isCore20: boolean = cohort.isCore20Decile(2);
  const local: cohort.MembershipReport = cohort.classifyPerson({ id: "p1", age: 47, imd_decile: 2 }, { definition: { extends: "national", id: "l", label: "l", version: 1 } });

  // @ts-expect-error compat is one of the listed names
  measures.measureHeatPlus(csv, { compat: "nope" });
  // @ts-expect-error a person record has no postcode
  cohort.classifyPerson({ id: "p2", postcode: "LS1 4AP" });
  // @ts-expect-error a saved file is an object, not its JSON text
  eq.scoreAssessment(fileText);
  // Each page loads only the module it uses; each module has only its own functions.
  // @ts-expect-error measureHeatPlus is in equitas_measures, not in the assessment engine
  eq.measureHeatPlus(csv);
  // @ts-expect-error classifyPerson is in equitas_cohort, not in the assessment engine
  eq.classifyPerson({ id: "p3" });
  // @ts-expect-error scoreAssessment is in equitas_wasm, not in the data page's measures
  measures.scoreAssessment(draft);
  // @ts-expect-error classifyPerson is in equitas_cohort, not in the data page's measures
  measures.classifyPerson({ id: "p4" });
  // @ts-expect-error imdQuintile is in equitas_cohort, not in the data page's measures
  measures.imdQuintile(3);
  // @ts-expect-error scoreAssessment is in equitas_wasm, not in the cohort classifier
  cohort.scoreAssessment(draft);
  // @ts-expect-error measureHeatPlus is in equitas_measures, not in the cohort classifier
  cohort.measureHeatPlus(csv);

  void [firstSection, version, problem, status, visible, overall, band, measureName, ridit, notes, asOf, sii, stratumKey, lineStart, note, core20, quintile, isCore20, local];
}
