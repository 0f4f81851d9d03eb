// Compile-time check of the committed `equitas_wasm.d.ts` (the assessment engine) and
// `equitas_data.d.ts` (the data page's functions): every export called with correctly shaped
// values, and its result used as the app uses it. Nothing runs; `tsc` failing is the test.
//
// `cargo xtask test` runs this with the TypeScript pinned in www/package.json; by hand:
//   cd crates/equitas-wasm && ../../www/node_modules/.bin/tsc --noEmit --strict --target es2022 \
//     --module es2022 --moduleResolution bundler --lib es2022,dom tests/types-check.ts
// `@ts-expect-error` lines check that wrong shapes are refused (tsc fails if they are accepted).

import init, * as eq from "../equitas_wasm.js";
import initData, * as data from "../equitas_data.js";

export async function check(csv: string, fileText: string): Promise<void> {
  await init();
  await initData();

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
  const report: eq.Report = eq.scoreAssessment(draft);
  const overall: number = report.overall;
  const band: string | undefined = report.band?.label;

  const loaded: eq.LoadedFile = eq.loadAssessment(fileText);
  const notes: string[] = loaded.notes.map((n) => n.message);
  const summary: eq.Summary = eq.summariseAssessments([loaded.assessment, draft], "2026-06-01");
  const asOf: string = summary.as_of;

  const measured: data.Measured = data.measureHeatPlus(csv);
  const again: data.Measured = data.measureHeatPlus(csv, { compat: "healthequal", seed: 7, simulations: 1000 });
  const sii: data.MeasureResult[] = again.results.filter((r) => r.measure === "sii");
  const stratumKey: data.StratumKey | undefined = measured.strata[0]?.key;

  const person: data.MembershipReport = data.classifyPerson({ id: "p1", age: 47, imd_decile: 2, conditions: ["smi"] });
  const core20: boolean | null = person.core20;
  const quintile: number = data.imdQuintile(3);
  const isCore20: boolean = data.isCore20Decile(2);

  // @ts-expect-error compat is one of the listed names
  data.measureHeatPlus(csv, { compat: "nope" });
  // @ts-expect-error a person record has no postcode
  data.classifyPerson({ id: "p2", postcode: "LS1 4AP" });
  // @ts-expect-error a saved file is an object, not its JSON text
  eq.scoreAssessment(fileText);
  // Each page loads one module; each module has only its own half.
  // @ts-expect-error measureHeatPlus is in equitas_data, not in the assessment engine
  eq.measureHeatPlus(csv);
  // @ts-expect-error scoreAssessment is in equitas_wasm, not in the data page's module
  data.scoreAssessment(draft);

  void [firstSection, version, problem, status, visible, overall, band, notes, asOf, sii, stratumKey, core20, quintile, isCore20];
}
