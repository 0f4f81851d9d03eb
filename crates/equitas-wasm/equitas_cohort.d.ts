/* tslint:disable */
/* eslint-disable */
/**
 * A calendar date (proleptic Gregorian), for ages from dates of birth.
 */
export type DateOfBirth = string;

/**
 * A catalogue list whose ids an option may reuse.
 */
export type CatalogueList = "protected_characteristics" | "inclusion_health_groups" | "plus_examples" | "cyp_plus_additional" | "clinical_areas" | "strategic_priorities";

/**
 * A changed answer as a reader compares them: both answers in words (option labels, dates in
 * UK prose, tables a row to a line: [`answer_words`]), what the browser's compare lists.
 */
export interface ChangedAnswer {
    /**
     * The question's id.
     */
    question: string;
    /**
     * Its section's title.
     */
    section: string;
    /**
     * Its label.
     */
    label: string;
    /**
     * The first assessment's answer in words (none: not answered).
     */
    before: string | null;
    /**
     * The second's.
     */
    after: string | null;
}

/**
 * A chart of a dimension's subgroup estimates with their intervals and the engine's measures.
 */
export interface Chart {
    /**
     * The subgroups, in the order drawn (left to right).
     */
    points: ChartPoint[];
    /**
     * The x axis's label when the points sit at their ridits ([`RIDIT_AXIS`]); `None` when they
     * are spaced evenly in their order.
     */
    ridit_axis: string | null;
    /**
     * Where one subgroup's share of the population ends and the next one's begins, on the
     * ridit scale (0 to 1), when the points have ridits; subgroups of the same order share
     * one share.
     */
    edges: number[];
    /**
     * The difference (D) bracket, for an ordered dimension whose D was computed.
     */
    difference: Bracket | null;
    /**
     * The SII written above the plot and drawn as a line, for an ordered dimension whose SII
     * was computed.
     */
    sii: SiiLabel | null;
    /**
     * The setting's average, drawn as a reference line, when given.
     */
    average: number | null;
    /**
     * How to read the chart: where the whiskers come from, what the marks, the bracket and
     * the line are. Each model words its own (a file's limits, an assessment's interval).
     */
    notes: NotePart[][];
}

/**
 * A column of a table question.
 */
export interface Column {
    /**
     * Stable id, unique within the table.
     */
    id: string;
    /**
     * Heading.
     */
    label: string;
    /**
     * Whether every row needs this cell.
     */
    required?: boolean;
    /**
     * What the cell holds.
     */
    kind: ColumnKind;
}

/**
 * A computed measure: its value, standard error and confidence interval.
 *
 * `se` is on the scale the reference reports (log scale for R and RII; see [`Compat`] for SII,
 * TI, MLD and PAF). Simulated measures have no `se`. Without subgroup SEs there is no interval.
 */
export interface Estimate {
    /**
     * The measure.
     */
    value: number;
    /**
     * Its standard error, when the method gives one.
     */
    se: number | null;
    /**
     * Lower confidence limit.
     */
    lower: number | null;
    /**
     * Upper confidence limit.
     */
    upper: number | null;
}

/**
 * A condition on the answers: when a question is shown, when a gap is reported.
 */
export type Condition = { answered: QuestionId } | { equals: { question: QuestionId; option: string } } | { includes: { question: QuestionId; option: string } } | { family_considered: { question: QuestionId; family: string } } | { item_considered: { question: QuestionId; item: string } } | { negative_impact_without_action: { checklist: QuestionId; table: QuestionId; column: string } } | { not_quantified: QuestionId } | { all_of: Condition[] } | { any_of: Condition[] } | { not: Condition };

/**
 * A criterion's result.
 */
export interface CriterionScore {
    /**
     * Criterion id.
     */
    id: string;
    /**
     * Label.
     */
    label: string;
    /**
     * Section it counts towards.
     */
    section: string;
    /**
     * Points earned.
     */
    earned: number;
    /**
     * Points available.
     */
    available: number;
    /**
     * Every point earned or lost, explained.
     */
    lines: Line[];
}

/**
 * A decile of the IMD, 1 (most deprived 10% of areas) to 10 (least deprived).
 */
export type ImdDecile = number;

/**
 * A gap found, with what to do.
 */
export interface Gap {
    /**
     * Gap rule id.
     */
    id: string;
    /**
     * The gap.
     */
    title: string;
    /**
     * What to do about it.
     */
    recommendation: string;
    /**
     * The question to go back to.
     */
    question?: QuestionId;
}

/**
 * A gap to report when its condition holds, with what to do about it.
 */
export interface GapRule {
    /**
     * Stable id (`no_inclusion_health`).
     */
    id: string;
    /**
     * The gap, in a phrase.
     */
    title: string;
    /**
     * What to do about it.
     */
    recommendation: string;
    /**
     * Report the gap when this holds.
     */
    when: Condition;
    /**
     * The question to go back to.
     */
    question?: QuestionId;
}

/**
 * A measure computed for one dimension of the evidence, or why not.
 */
export interface EvidenceMeasureResult {
    /**
     * Which measure.
     */
    measure: MeasureId;
    /**
     * The value, when it could be computed.
     */
    value: MeasureValue | null;
    /**
     * Why it could not be.
     */
    reason?: string;
}

/**
 * A measure's names and a plain-English sentence on what it tells you.
 */
export interface MeasureInfo {
    /**
     * Which measure.
     */
    id: MeasureId;
    /**
     * Its short name, e.g. `"SII"`.
     */
    abbr: string;
    /**
     * Its full name, e.g. `"Slope index of inequality"`.
     */
    name: string;
    /**
     * What it tells you.
     */
    about: string;
}

/**
 * A measure's value from the measures engine.
 */
export interface MeasureValue {
    /**
     * The value.
     */
    value: number;
    /**
     * Its standard error.
     */
    se: number | null;
    /**
     * Lower 95% limit.
     */
    lower: number | null;
    /**
     * Upper 95% limit.
     */
    upper: number | null;
}

/**
 * A membership with ids instead of indices, for JSON and the browser.
 */
export interface MembershipReport {
    /**
     * Core20, or null when deprivation is unknown.
     */
    core20: boolean | null;
    /**
     * National IMD decile.
     */
    imd_decile: number | null;
    /**
     * National IMD quintile.
     */
    imd_quintile: number | null;
    /**
     * Age band label.
     */
    age_band: string;
    /**
     * Broad ethnic group id.
     */
    ethnic_group: string;
    /**
     * Sex id.
     */
    sex: Sex;
    /**
     * PLUS group ids.
     */
    plus_groups: string[];
    /**
     * Adult clinical area ids.
     */
    adult_areas: string[];
    /**
     * CYP clinical area ids.
     */
    cyp_areas: string[];
    /**
     * In the smoking cessation thread.
     */
    smoking_thread: boolean;
    /**
     * Reasons for anything unknown.
     */
    missing: Missing[];
}

/**
 * A number with its standard error and limits, or the reason it has none.
 */
export interface GapEstimate {
    /**
     * The value.
     */
    value: number | null;
    /**
     * Its standard error.
     */
    se: number | null;
    /**
     * Lower limit.
     */
    lower: number | null;
    /**
     * Upper limit.
     */
    upper: number | null;
    /**
     * Why a number is missing; `None` when all are there.
     */
    reason: string | null;
}

/**
 * A piece of a note: text, a number for the drawing to format, or a point's label.
 */
export type NotePart = string | { value: number; dp: number } | { point: number };

/**
 * A proleptic Gregorian calendar date.
 */
export type IsoDate = string;

/**
 * A published edition of a deprivation index. Editions of different nations, or of different
 * years, are not comparable.
 */
export type ImdEdition = "england-2019" | "england-2025" | "wales-2019" | "scotland-2020" | "northern-ireland-2017";

/**
 * A quintile of the IMD, 1 (most deprived 20%: deciles 1–2) to 5 (deciles 9–10).
 */
export type ImdQuintile = number;

/**
 * A rating band.
 */
export interface Band {
    /**
     * Stable id.
     */
    id: string;
    /**
     * Label.
     */
    label: string;
    /**
     * Lowest overall score (0–100) in the band.
     */
    min: number;
    /**
     * What the band means.
     */
    meaning: string;
}

/**
 * A review past its date.
 */
export interface Overdue {
    /**
     * The name the caller gave the assessment (e.g. its file name).
     */
    name: string;
    /**
     * Its title.
     */
    title: string | null;
    /**
     * The planned review date.
     */
    review_date: IsoDate;
    /**
     * Days past it on the as-of date.
     */
    days_overdue: number;
}

/**
 * A section of an instrument: one task in the form's task list.
 */
export interface Section {
    /**
     * Stable id (`prepare`).
     */
    id: string;
    /**
     * Heading.
     */
    title: string;
    /**
     * Guidance shown at the top of the section.
     */
    help?: string;
    /**
     * The questions, in order.
     */
    questions: Question[];
}

/**
 * A section's score and progress.
 */
export interface SectionScore {
    /**
     * Section id.
     */
    id: string;
    /**
     * Title.
     */
    title: string;
    /**
     * 0–100, or `None` when no criterion counts towards the section.
     */
    score: number | null;
    /**
     * Points earned.
     */
    earned: number;
    /**
     * Points available.
     */
    available: number;
    /**
     * Progress.
     */
    progress: SectionProgress;
}

/**
 * A small set of indices, as a bitset.
 */
export type BitSet = number;

/**
 * A statement to work on next.
 */
export interface Objective {
    /**
     * The statement's question.
     */
    question: QuestionId;
    /**
     * Its section id.
     */
    section: string;
    /**
     * The statement.
     */
    statement: string;
    /**
     * Current level label.
     */
    level: string;
    /**
     * What to work on.
     */
    next_step: string;
}

/**
 * A target: what, and by when.
 */
export interface Goal {
    /**
     * What the measure should do.
     */
    aim: Aim;
    /**
     * The year by which, on the periods' mid-year scale.
     */
    year: number;
}

/**
 * A theme's maturity.
 */
export interface ThemeMaturity {
    /**
     * Section id.
     */
    section: string;
    /**
     * Title.
     */
    title: string;
    /**
     * Statements rated.
     */
    rated: number;
    /**
     * Statements shown.
     */
    statements: number;
    /**
     * How many statements at each level, weakest first: (level id, label, count).
     */
    levels: [string, string, number][];
    /**
     * Mean level from 1 (weakest) upwards, when any statement is rated.
     */
    mean_level: number | null;
    /**
     * Label of the level the mean rounds down to.
     */
    level: string | null;
}

/**
 * An answer kept aside because its question is gone or changed kind.
 */
export interface Retained {
    /**
     * The answer exactly as it was saved.
     */
    value: unknown;
    /**
     * The instrument version it was given under.
     */
    from_version: number;
    /**
     * Why it was set aside.
     */
    reason: string;
}

/**
 * An assessment's report as a reader sees it: the CLI's Markdown and HTML and the browser's
 * results page are drawings of it.
 */
export interface ReportModel {
    /**
     * The scored report: what `equitas assess score --format json` writes.
     */
    report: Report;
    /**
     * The names of the measures that quantify the evidence, and what each tells you.
     */
    measures: MeasureInfo[];
    /**
     * A chart of each dimension of [`Report::quantified`], in the same order.
     */
    charts: Chart[];
}

/**
 * An instrument: a versioned questionnaire with its scoring rubric and gap rules.
 */
export interface Instrument {
    /**
     * Stable id (`heat`, `hi-maturity`, or an organisation's own).
     */
    id: string;
    /**
     * Version of this instrument's content; bump it when questions change.
     */
    version: number;
    /**
     * Title shown above the form and the report.
     */
    title: string;
    /**
     * What the instrument is for, in a sentence or two.
     */
    description: string;
    /**
     * Who wrote the wording and on what it is based.
     */
    provenance: string;
    /**
     * Which questions play a special role (the assessment's name, its review date).
     */
    roles?: Roles;
    /**
     * The sections, in order (HEAT's stages; the maturity themes).
     */
    sections: Section[];
    /**
     * How the assessment is scored.
     */
    rubric: Rubric;
    /**
     * Gaps to point out, each with a recommendation.
     */
    gaps?: GapRule[];
}

/**
 * An option, a rating level or a checklist item.
 */
export interface Choice {
    /**
     * Stable id, unique within the question.
     */
    id: string;
    /**
     * Text shown.
     */
    label: string;
    /**
     * Extra guidance.
     */
    help?: string;
    /**
     * For checklist items: the family of inequality the item belongs to.
     */
    family?: string;
    /**
     * When the id is taken from an equitas catalogue list, which list (checked on load).
     */
    catalogue?: CatalogueList;
}

/**
 * How SII and RII are fitted (spec §7.2).
 */
export type SiiMethod = "logistic" | "linear";

/**
 * How a criterion earns its points: each gives a share in 0..=1 of the weight.
 */
export type Rule = { type: "completeness" } | { type: "breadth"; question: QuestionId } | { type: "strength"; question: QuestionId } | { type: "credit"; question: QuestionId; credit: Record<string, number> } | { type: "quantified"; question: QuestionId; partial: number } | { type: "actions"; table: QuestionId; fields: string[]; link: string; checklist: QuestionId } | { type: "review_date"; question: QuestionId; from: QuestionId; min_months: number; max_months: number; outside: number } | { type: "maturity" };

/**
 * How many assessments fall in a band.
 */
export interface BandCount {
    /**
     * Instrument id (bands belong to an instrument's rubric).
     */
    instrument: string;
    /**
     * Band id.
     */
    band: string;
    /**
     * Band label.
     */
    label: string;
    /**
     * Assessments in it.
     */
    count: number;
}

/**
 * How often a dimension was considered.
 */
export interface DimensionCount {
    /**
     * Instrument id.
     */
    instrument: string;
    /**
     * The checklist question.
     */
    question: QuestionId;
    /**
     * Item id.
     */
    item: string;
    /**
     * Item label.
     */
    label: string;
    /**
     * Its family.
     */
    family: string;
    /**
     * Assessments that considered it.
     */
    considered: number;
    /**
     * Assessments of this instrument.
     */
    of: number;
}

/**
 * How often a gap was found.
 */
export interface GapCount {
    /**
     * Instrument id.
     */
    instrument: string;
    /**
     * Gap id.
     */
    id: string;
    /**
     * The gap.
     */
    title: string;
    /**
     * Assessments with it.
     */
    count: number;
}

/**
 * How the standard errors of ACI and RCI are computed (spec §1.2, §5 item 2).
 */
export type ConcentrationSe = "regression" | "analytic";

/**
 * One checklist item's answer.
 */
export interface ChecklistEntry {
    /**
     * Whether the dimension was considered.
     */
    considered: boolean;
    /**
     * The likely impact of the work on this group.
     */
    impact?: Impact;
    /**
     * What was found or why it does not apply.
     */
    note?: string;
}

/**
 * One criterion: up to `weight` points, earned by its rule.
 */
export interface Criterion {
    /**
     * Stable id.
     */
    id: string;
    /**
     * Label in the report.
     */
    label: string;
    /**
     * The section whose score it counts towards (all criteria count towards the overall).
     */
    section: string;
    /**
     * Points available.
     */
    weight: number;
    /**
     * How the points are earned.
     */
    rule: Rule;
}

/**
 * One line of a criterion's explanation: the points it earned or lost and why.
 */
export interface Line {
    /**
     * Points earned by this line.
     */
    earned: number;
    /**
     * Points lost by this line.
     */
    lost: number;
    /**
     * Why.
     */
    text: string;
}

/**
 * One measure's result as a report shows it: its names, and its value with its standard error
 * and interval, or why it could not be computed.
 */
export interface MeasureLine {
    /**
     * Which measure.
     */
    measure: MeasureId;
    /**
     * Its short name.
     */
    abbr: string;
    /**
     * Its full name.
     */
    name: string;
    /**
     * What it tells you.
     */
    about: string;
    /**
     * Its value, standard error and confidence limits; `None` when it could not be computed.
     */
    value: Estimate | null;
    /**
     * Why it could not be computed.
     */
    reason?: string;
}

/**
 * One person, as an analyst's extract or a form describes them. Ids are catalogue ids
 * (`seeds/catalogue/`); conditions may also be ICD-10 codes, mapped by the indicative code lists.
 */
export interface PersonRecord {
    /**
     * The record's id (kept for error messages; never aggregated).
     */
    id?: string;
    /**
     * Age in whole years, 0..=120.
     */
    age?: number | null;
    /**
     * Date of birth, used with [`Classifier::with_reference_date`] when `age` is absent.
     */
    date_of_birth?: DateOfBirth | null;
    /**
     * Recorded sex.
     */
    sex?: Sex;
    /**
     * NHS ethnic category code (`A`..`Z`, `99`); absent means not known.
     */
    ethnicity?: string | null;
    /**
     * Area of residence (an LSOA code of the index in use).
     */
    area?: string | null;
    /**
     * IMD decile given directly, when no area is known.
     */
    imd_decile?: ImdDecile | null;
    /**
     * Condition ids or ICD-10 codes.
     */
    conditions?: string[];
    /**
     * Group flags (`groups.json` `record_flags`), including `learning_disability` and `autism`.
     */
    groups?: string[];
    /**
     * Smoking status.
     */
    smoking?: Smoking;
    /**
     * Metric numerator events (e.g. `smi_health_check`).
     */
    events?: string[];
}

/**
 * One problem with one answer, for the form to show beside the question.
 */
export interface FieldError {
    /**
     * The question.
     */
    question: QuestionId;
    /**
     * Its section id.
     */
    section: string;
    /**
     * What kind of problem.
     */
    problem: Problem;
    /**
     * What to do about it, naming the value and place.
     */
    message: string;
}

/**
 * One question whose answer differs between the two assessments.
 */
export interface Change {
    /**
     * The question.
     */
    question: QuestionId;
    /**
     * Its section's title.
     */
    section: string;
    /**
     * Its label.
     */
    label: string;
    /**
     * The answer in the first assessment (none: not answered).
     */
    before: Answer | null;
    /**
     * The answer in the second (none: not answered).
     */
    after: Answer | null;
}

/**
 * One question.
 */
export interface Question {
    /**
     * Stable id; never reuse one for a different meaning.
     */
    id: QuestionId;
    /**
     * The question as the form shows it.
     */
    label: string;
    /**
     * Prompts and guidance under the question.
     */
    help?: string;
    /**
     * Whether an answer is needed (only while the question is visible).
     */
    required?: boolean;
    /**
     * Show the question only when this holds; hidden questions are never required.
     */
    visible_if?: Condition;
    /**
     * Ids this question had in earlier versions of the instrument; answers saved under them
     * move here when a file is migrated. When a file has answers under more than one of them
     * (two questions merged into one), the answer under the question's own id goes in, else
     * the first of these, in this order, whose answer fits; the others are kept in the saved
     * file's `retained` list. An id may be listed by one question only.
     */
    previous_ids?: QuestionId[];
    /**
     * For rating questions: what to work on next while the rating is below the top level.
     */
    next_step?: string;
    /**
     * What kind of answer it takes.
     */
    kind: Kind;
}

/**
 * One section's progress.
 */
export interface SectionProgress {
    /**
     * Section id.
     */
    section: string;
    /**
     * Section title.
     */
    title: string;
    /**
     * Where it stands.
     */
    status: Status;
    /**
     * Visible questions answered.
     */
    answered: number;
    /**
     * Visible questions.
     */
    visible: number;
    /**
     * Problems to fix in the section.
     */
    problems: number;
}

/**
 * One subgroup as a chart draws it.
 */
export interface ChartPoint {
    /**
     * The subgroup's label.
     */
    label: string;
    /**
     * Its position (1 = most disadvantaged in an ordered dimension), as the chart's table
     * shows it; the points are in this order.
     */
    order: number;
    /**
     * Its estimate; `None` when missing (no mark is drawn).
     */
    estimate: number | null;
    /**
     * Its standard error, as given.
     */
    se: number | null;
    /**
     * Its population, as given.
     */
    population: number | null;
    /**
     * Whether it is the dimension's reference subgroup.
     */
    reference: boolean;
    /**
     * The lower end of its whisker.
     */
    lower: number | null;
    /**
     * The upper end of its whisker.
     */
    upper: number | null;
    /**
     * The middle of its share of the population on the ridit scale (0 = the most
     * disadvantaged end, 1 = the least), when the chart has the SII's axis.
     */
    ridit: number | null;
}

/**
 * One subgroup of a stratum: a row of the HEAT Plus template.
 */
export interface Subgroup {
    /**
     * The subgroup's label, e.g. "Quintile 1 (most deprived)".
     */
    label: string;
    /**
     * The subgroup's estimate on the indicator's scale; `None` when missing.
     */
    estimate: number | null;
    /**
     * Its standard error; needed for confidence intervals.
     */
    se: number | null;
    /**
     * Its population; needed for weighted measures.
     */
    population: number | null;
    /**
     * Position in an ordered dimension, 1 = most disadvantaged; 0 for non-ordered dimensions.
     */
    order: number;
    /**
     * Whether this is the dimension's reference subgroup (at most one per stratum).
     */
    reference: boolean;
}

/**
 * One subgroup's value.
 */
export interface EvidenceRow {
    /**
     * The dimension the subgroup belongs to (e.g. "IMD quintile", "Ethnic group").
     */
    dimension: string;
    /**
     * The subgroup (e.g. "Quintile 1 (most deprived)").
     */
    subgroup: string;
    /**
     * Position in an ordered dimension, 1 = most disadvantaged; 0 when not ordered.
     */
    order?: number;
    /**
     * The value on the indicator's scale.
     */
    estimate?: number;
    /**
     * The subgroup's population.
     */
    population?: number;
    /**
     * Standard error of the estimate.
     */
    se?: number;
    /**
     * Lower confidence limit.
     */
    lower?: number;
    /**
     * Upper confidence limit.
     */
    upper?: number;
    /**
     * Whether this is the dimension's reference subgroup.
     */
    reference?: boolean;
}

/**
 * Options for [`compute`]. Build with [`Options::default`] and the `with_*` setters.
 */
export interface Options {
    /**
     * Which reference to follow where they differ.
     */
    compat?: Compat;
    /**
     * Confidence level of intervals, above 0 and at most 0.999999 (`MAX_CONFIDENCE`); 0.95 by
     * default.
     */
    confidence?: number;
    /**
     * Seed of the simulation, any 64-bit whole number (heatmeasures uses 123456).
     */
    seed?: number;
    /**
     * Number of simulated datasets for simulated intervals, 2 to 1,000,000
     * (`MAX_SIMULATIONS`); heatmeasures uses 100.
     */
    simulations?: number;
    /**
     * Report RCI ×100 (−100..100, as the technical notes print it) instead of the fraction.
     */
    rci_percent?: boolean;
    /**
     * How SII and RII are fitted.
     */
    sii_method?: SiiMethod;
    /**
     * How ACI and RCI standard errors are computed.
     */
    concentration_se?: ConcentrationSe;
}

/**
 * Quantitative evidence: one indicator's values by subgroup.
 */
export interface Evidence {
    /**
     * What was measured (e.g. "SMI health check uptake, %").
     */
    indicator?: string;
    /**
     * Whether higher values are better.
     */
    favourable?: boolean;
    /**
     * The indicator's scale: 1, 100 (percent), 1000, 100000.
     */
    scale?: number;
    /**
     * The rows.
     */
    rows?: EvidenceRow[];
}

/**
 * Questions with a special role in summaries.
 */
export interface Roles {
    /**
     * The free-text question that names the work assessed.
     */
    title?: QuestionId;
    /**
     * The date question holding the planned review date.
     */
    review_date?: QuestionId;
    /**
     * The date question holding the day the assessment was made: the review date must come
     * after it, and it may not be in the future ([`validate_as_of`](super::validate_as_of)).
     */
    assessment_date?: QuestionId;
}

/**
 * Recorded sex. Accepted spellings (any case): `male`, `m`, `1`; `female`, `f`, `2`;
 * `indeterminate`, `9`; `unknown`, `0`, `x` or empty.
 */
export type Sex = "male" | "female" | "indeterminate" | "unknown";

/**
 * Recorded smoking status. Accepted spellings: `current`, `ex`, `never`, `unknown` or empty.
 */
export type Smoking = "current" | "ex" | "never" | "unknown";

/**
 * The 21 summary measures of WHO HEAT v6, by their lower-case ids.
 */
export type MeasureId = "d" | "r" | "aci" | "rci" | "sii" | "rii" | "bgv" | "bgsd" | "cov" | "mdmu" | "mdmw" | "mdbu" | "mdbw" | "mdru" | "mdrw" | "idisu" | "idisw" | "ti" | "mld" | "par" | "paf";

/**
 * The SII as a chart shows it: written above the plot and, when its ends can be told, drawn
 * as a line. The line joins the values the SII's model fits at the two ends of the ridit
 * scale: v₀ = SII / (RII − 1) at 0 and v₁ = RII · v₀ at 1 (SII = v₁ − v₀ and RII = v₁ / v₀
 * for either fit), so its slope is the SII. (For a logistic fit the model itself is a curve
 * through those ends; the line is the SII, not the curve.)
 */
export interface SiiLabel {
    /**
     * The SII.
     */
    value: number;
    /**
     * Its lower confidence limit.
     */
    lower: number | null;
    /**
     * Its upper confidence limit.
     */
    upper: number | null;
    /**
     * The confidence level of the limits, in per cent (95, say).
     */
    level: number;
    /**
     * The line's fitted value at ridit 0 (the most disadvantaged end); `None`, as is `at1`,
     * when there is no line: the RII was not computed or is 1 (no gradient), a population is
     * missing, or the ends overflow.
     */
    at0: number | null;
    /**
     * The line's fitted value at ridit 1 (the least disadvantaged end).
     */
    at1: number | null;
}

/**
 * The SII by one method, with what its interval includes.
 */
export interface SiiLine {
    /**
     * The method, named.
     */
    method: string;
    /**
     * The SII, on the indicator's scale; `None` when it could not be computed.
     */
    value: number | null;
    /**
     * Its interval's lower end.
     */
    lower: number | null;
    /**
     * Its interval's upper end.
     */
    upper: number | null;
    /**
     * The relative index of inequality the same fit gives: with the SII it places the fitted
     * line's ends on a chart (the value at the most disadvantaged end is SII / (RII − 1)).
     */
    rii: number | null;
    /**
     * Why it could not be computed.
     */
    reason: string | null;
    /**
     * One sentence on what its interval includes and leaves out.
     */
    interval: string;
}

/**
 * The UK nation an index covers.
 */
export type Nation = "england" | "wales" | "scotland" | "northern_ireland";

/**
 * The answer to one question. Serialised in the natural JSON form of its kind (a string, a list
 * of strings, a number, an object), which is what a saved file holds.
 */
export type Answer = string | string[] | number | Record<string, ChecklistEntry> | Record<string, string>[] | Evidence;

/**
 * The answers of one assessment, by question id.
 */
export type Answers = Record<QuestionId, Answer>;

/**
 * The change of a measure against the baseline period.
 */
export interface Change {
    /**
     * This period's value minus the baseline's, with its interval.
     */
    difference: GapEstimate;
    /**
     * The difference as a percentage of the baseline value.
     */
    percent: number | null;
    /**
     * What the interval says.
     */
    verdict: Verdict;
}

/**
 * The difference (D) between the two ends of an ordered dimension, as a bracket between two
 * of the chart's points.
 */
export interface Bracket {
    /**
     * D.
     */
    value: number;
    /**
     * The index in [`Chart::points`] of one end (the first point).
     */
    from: number;
    /**
     * The index of the other end (the last point).
     */
    to: number;
}

/**
 * The gap quantified for one dimension of the evidence table.
 */
export interface Quantified {
    /**
     * The evidence question.
     */
    question: QuestionId;
    /**
     * What was measured.
     */
    indicator: string | null;
    /**
     * The dimension (e.g. IMD quintile).
     */
    dimension: string;
    /**
     * Whether the subgroups are ordered.
     */
    ordered: boolean;
    /**
     * Subgroups with estimates.
     */
    subgroups: number;
    /**
     * The measures: SII, RII and D (most vs least disadvantaged) for ordered dimensions, D for
     * others.
     */
    measures: EvidenceMeasureResult[];
    /**
     * The SII by both methods, for an ordered dimension (empty otherwise): the Fingertips
     * method first, the default in England, then WHO HEAT's logistic SII (the one in
     * `measures`), each naming its method and saying what its interval includes. The chart
     * draws the first that was computed.
     */
    sii: SiiLine[];
}

/**
 * The kinds of answer a question takes.
 */
export type Kind = { type: "single_choice"; options: Choice[] } | { type: "multiple_choice"; options: Choice[] } | { type: "text"; multiline?: boolean } | { type: "number"; min?: number; max?: number; unit?: string } | { type: "date" } | { type: "rating"; levels: Choice[] } | { type: "dimension_checklist"; items: Choice[] } | { type: "table"; columns: Column[] } | { type: "evidence_table" };

/**
 * The likely impact on a group.
 */
export type Impact = "positive" | "negative" | "neutral" | "not_known";

/**
 * The method Fingertips uses for a value type.
 */
export type Method = "chi_squared_for_trend" | "weighted_regression";

/**
 * The portfolio summary.
 */
export interface Summary {
    /**
     * The date overdue reviews are judged against.
     */
    as_of: IsoDate;
    /**
     * Assessments summarised.
     */
    assessments: number;
    /**
     * Per band, in each instrument's band order.
     */
    bands: BandCount[];
    /**
     * Gaps, most common first.
     */
    gaps: GapCount[];
    /**
     * Checklist dimensions, least often considered first.
     */
    dimensions: DimensionCount[];
    /**
     * Reviews overdue, most overdue first.
     */
    overdue: Overdue[];
    /**
     * Assessments of instruments with a review date question that have none set.
     */
    no_review_date: string[];
}

/**
 * The recent trend of one series.
 */
export interface RecentTrend {
    /**
     * Increasing, decreasing, no significant change, or cannot be calculated.
     */
    marker: Marker;
    /**
     * Better or worse, for a significant trend of an indicator with a polarity.
     */
    judgement: Judgement | null;
    /**
     * The method used, when one applied.
     */
    method: Method | null;
    /**
     * The periods the test used, oldest first.
     */
    periods: string[];
    /**
     * The test statistic.
     */
    chi_squared: number | null;
    /**
     * The slope per year (of the log-odds for proportions, of the value otherwise).
     */
    slope: number | null;
    /**
     * Why, in words: "significant trend, no outlier", "no significant trend", "outlier found",
     * or why the trend cannot be calculated.
     */
    reason: string;
}

/**
 * The recent trend's marker.
 */
export type Marker = "increasing" | "decreasing" | "no_significant_change" | "cannot_be_calculated";

/**
 * The saved file, as JSON sees it (the schema in `seeds/schema/assessment.schema.json`).
 * Answers are plain JSON here; their types depend on the instrument, so [`load`] reads them.
 */
export interface SavedFile {
    /**
     * Always `equitas-assessment`.
     */
    format: string;
    /**
     * The envelope layout version.
     */
    schema_version: number;
    /**
     * The instrument answered.
     */
    instrument: InstrumentRef;
    /**
     * When the assessment was started (as the caller gave it; ISO 8601 recommended).
     */
    created: string;
    /**
     * When it was last saved.
     */
    updated: string;
    /**
     * Answers by question id.
     */
    answers: Record<QuestionId, Answer | null>;
    /**
     * Answers set aside by migrations, by their old question id: every entry for that id,
     * oldest first (a list since layout version 2, so none is ever written over another).
     */
    retained?: Record<QuestionId, Retained[]>;
}

/**
 * The scored report of one assessment.
 */
export interface Report {
    /**
     * The instrument.
     */
    instrument: InstrumentRef;
    /**
     * Its title.
     */
    instrument_title: string;
    /**
     * The rubric's label (whose rubric; not an official score).
     */
    rubric: string;
    /**
     * The assessment's title, from the instrument's title question.
     */
    title: string | null;
    /**
     * 0–100.
     */
    overall: number;
    /**
     * The band of the overall score.
     */
    band: Band | null;
    /**
     * Per section.
     */
    sections: SectionScore[];
    /**
     * Per criterion, with every point explained.
     */
    criteria: CriterionScore[];
    /**
     * Gaps with recommendations.
     */
    gaps: Gap[];
    /**
     * The gap quantified from the evidence.
     */
    quantified: Quantified[];
    /**
     * The maturity profile, for maturity instruments.
     */
    profile: ThemeMaturity[];
    /**
     * Next objectives, for maturity instruments.
     */
    objectives: Objective[];
    /**
     * Problems to fix before the assessment is complete.
     */
    problems: FieldError[];
}

/**
 * The scoring rubric: weighted criteria and rating bands. It rates how thorough the assessment
 * is, not the service assessed.
 */
export interface Rubric {
    /**
     * Label shown with every score (says whose rubric it is and that it is not official).
     */
    label: string;
    /**
     * Bands by lowest overall score, ascending; the first must start at 0.
     */
    bands: Band[];
    /**
     * The criteria.
     */
    criteria: Criterion[];
    /**
     * For maturity instruments: how many next objectives to list.
     */
    max_objectives?: number;
}

/**
 * The stable id of a question, e.g. `assess.dimensions`. Answers are keyed by it, so wording can
 * change between instrument versions without losing work.
 */
export type QuestionId = string;

/**
 * The subgroups of one stratum and how to read them.
 */
export interface Stratum {
    /**
     * The subgroups, in any row order (ordered measures sort by [`Subgroup::order`]).
     */
    subgroups: Subgroup[];
    /**
     * Whether the dimension has a natural order (e.g. deprivation quintiles).
     */
    ordered: boolean;
    /**
     * Whether higher values are better (favourable) or worse (adverse).
     */
    favourable: boolean;
    /**
     * The indicator's scale: 1, 100 (percent), 1000, 100000…
     */
    scale: number;
    /**
     * The setting's overall value, when reported.
     */
    setting_average: number | null;
}

/**
 * The trajectory of a measure to its [`Goal`]. The rule:
 *
 * 1. The **target value** is the baseline value × (1 − percent/100) for
 *    [`Aim::ReduceBy`], or the value of [`Aim::AtLeast`] / [`Aim::AtMost`]; the **required
 *    annual change** is (target value − baseline value)/(target year − baseline mid-year).
 * 2. The **trend** is the inverse-variance weighted least-squares line through the values of
 *    the baseline and every later period against their mid-years (weights 1/SE², the
 *    sampling variances taken as known, so with two periods it is the line through them);
 *    its slope is the **observed annual change**, with standard error √(1/Σw(x − x̄)²).
 * 3. The **projection** is the line's value at the target year, with standard error
 *    √(1/Σw + (year − x̄)²/Σw(x − x̄)²) and the interval at the confidence asked for.
 * 4. For an aim to come down (a reduction, or "at most"): **on track** when the projection's
 *    upper limit is at or below the target value; **not on track** when its lower limit is
 *    above it. For "at least", mirrored: on track when the lower limit is at or above the
 *    target, not on track when the upper limit is below it. Otherwise **cannot tell yet**, as
 *    also when fewer than two periods from the baseline on have a value, or, for a reduction,
 *    the baseline value is not above zero (a reduction then has no direction).
 */
export interface Trajectory {
    /**
     * The baseline value.
     */
    baseline: number | null;
    /**
     * The target value.
     */
    target: number | null;
    /**
     * The change a year needed from the baseline to reach the target by its year.
     */
    required_annual_change: number | null;
    /**
     * The trend's slope, with its standard error and interval.
     */
    observed_annual_change: GapEstimate;
    /**
     * The trend's value at the target year, with its interval.
     */
    projected: GapEstimate;
    /**
     * On track, not on track, or cannot tell yet.
     */
    status: TrajectoryStatus;
    /**
     * Why the status is "cannot tell yet", in words.
     */
    reason: string | null;
}

/**
 * What a load changed on the way in.
 */
export type MigrationNote = { Schema: { from: number; to: number } } | { Instrument: { from: number; to: number } } | { Renamed: { from: QuestionId; to: QuestionId } } | { Retained: { question: QuestionId; reason: string } };

/**
 * What a table cell holds (cells are saved as strings).
 */
export type ColumnKind = { type: "text" } | { type: "date" } | { type: "choice"; options: Choice[] } | { type: "item_of"; question: QuestionId };

/**
 * What a target asks of a measure.
 */
export type Aim = { reduce_by: number } | { at_least: number } | { at_most: number };

/**
 * What an indicator's values are, which decides the method.
 */
export type ValueType = "proportion" | "crude_rate" | "dsr" | "isr" | "ratio" | "life_expectancy" | "sii" | "mean" | "median" | "gap" | "count" | "other";

/**
 * What is wrong with an answer.
 */
export type Problem = "required" | "unknown_option" | "not_a_date" | "out_of_range" | "missing_cell" | "bad_evidence" | "inconsistent" | "unknown_question" | "wrong_kind";

/**
 * Where a measure is heading against its target (see [`Trajectory`]).
 */
export type TrajectoryStatus = "on_track" | "not_on_track" | "cannot_tell_yet";

/**
 * Where a section stands, for a task list.
 */
export type Status = "not_started" | "in_progress" | "completed";

/**
 * Where a subgroup's whisker (its 95% interval) comes from.
 */
export type Whisker = "given" | "se";

/**
 * Whether a gap narrowed, widened or did neither significantly.
 */
export type Verdict = "narrowed" | "widened" | "no_significant_change" | "unknown";

/**
 * Whether a significant trend is for the better or the worse.
 */
export type Judgement = "better" | "worse";

/**
 * Which direction is better for an indicator.
 */
export type Polarity = "higher_is_better" | "lower_is_better" | "no_judgement";

/**
 * Which instrument (and version) an assessment answers.
 */
export interface InstrumentRef {
    /**
     * Instrument id.
     */
    id: string;
    /**
     * Instrument version.
     */
    version: number;
}

/**
 * Which reference implementation to follow where they differ (spec §5, §7).
 */
export type Compat = "heat-v6" | "healthequal" | "corrected";

/**
 * Why part of a membership could not be worked out. A bitset of these travels with every
 * membership and is counted in [`CohortCounts`].
 */
export type Missing = "unknown_area" | "no_deprivation" | "no_age" | "ethnicity_not_known" | "sex_not_known";


/**
 * Classifies one person against the national Core20PLUS5 definition, or the caller's own.
 *
 * `record` is a plain object with the fields of a person record (`id`, `age`, `date_of_birth`,
 * `sex`, `ethnicity`, `area`, `imd_decile`, `conditions`, `groups`, `smoking`, `events`; all
 * optional, unknown fields refused). `options` is optional: `{definition}`, a cohort
 * definition as its JSON file holds it, whole or local (`{"extends": "national", "targets":
 * [...], "plus_groups": [...], ...}`, layered on the built-in one it names, as `equitas
 * cohorts --definition` reads it). The result is a JSON-safe object: Core20, IMD decile and
 * quintile, age band, ethnic group, sex, PLUS groups, adult and children's clinical areas, and
 * the reasons for anything that could not be decided.
 *
 * @throws {Error} when the record or the options are malformed (naming the JSON pointer, in
 * the definition too) or the record cannot be classified
 */
export function classifyPerson(record: PersonRecord, options?: any | null): MembershipReport;

/**
 * The IMD quintile (1 = most deprived fifth of areas) that an IMD decile (1 = most deprived
 * tenth) falls in.
 *
 * @throws {Error} when `decile` is not a whole number from 1 to 10
 */
export function imdQuintile(decile: number): number;

/**
 * Whether an IMD decile is in Core20: the most deprived 20% of areas (deciles 1 and 2).
 *
 * @throws {Error} when `decile` is not a whole number from 1 to 10
 */
export function isCore20Decile(decile: number): boolean;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly classifyPerson: (a: any, b: number) => [number, number, number];
    readonly imdQuintile: (a: number) => [number, number, number];
    readonly isCore20Decile: (a: number) => [number, number, number];
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __externref_table_alloc: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
