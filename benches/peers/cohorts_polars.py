#!/usr/bin/env python3
"""Peer implementation of `equitas cohorts` in Python + polars, for benchmarking.

Counts people per (core20, imd_quintile, ethnic_group, sex, age_band, area, plus_group) from a
person-records CSV, an IMD lookup CSV and the equitas seed files, in the long format that
`equitas cohorts --format csv` emits, so the two outputs can be compared row for row.

    python3 benches/peers/cohorts_polars.py --records R.csv --imd IMD.csv --repo . \
        [--definition seeds/definitions/national.json] [--out counts.csv]

Prints one JSON line to stderr: rows (input records), seconds, rows_per_second, polars version
and thread-pool size. The clock covers reading both CSVs through to the counts in memory; it
excludes interpreter start-up, loading the seed files and writing `--out`.

The whole job is one lazy query, in long (relational) form: scan_csv; a left join for the IMD
decile; `str.split` for the `;`-lists; `explode` plus an inner join against a
(condition, area, age range) table for the clinical areas; PLUS rules compiled recursively to
boolean expressions and `unpivot`ed to (person, group) rows; joins on a row index and
`group_by().len()`. Breakdown labels are `pl.Enum`s (every label set is known from the seeds),
cast back to strings for the final lexical sort. There is no Python loop over rows.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import polars as pl

KEYS = ["core20", "imd_quintile", "ethnic_group", "sex", "age_band", "area", "plus_group"]
RECORD_COLUMNS = [
    "person_id", "age", "sex", "ethnicity", "lsoa", "conditions", "groups", "smoking",
    "imd_decile",
]
SEX = {
    "male": "male", "m": "male", "1": "male",
    "female": "female", "f": "female", "2": "female",
    "indeterminate": "indeterminate", "9": "indeterminate",
    "": "unknown", "unknown": "unknown", "0": "unknown", "x": "unknown",
}
NO_UPPER_AGE = 1 << 30


def enum(labels) -> pl.Enum:
    return pl.Enum(list(dict.fromkeys(labels)))


# --------------------------------------------------------------------------------------------
# Seed files (loaded before the clock starts)
# --------------------------------------------------------------------------------------------

def load_json(path: Path) -> dict:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


class Seeds:
    """The parts of the catalogue and the cohort definition this job needs."""

    def __init__(self, repo: Path, definition: Path):
        cat = repo / "seeds" / "catalogue"
        conditions = load_json(cat / "conditions.json")["conditions"]
        ethnicity = load_json(cat / "ethnicity.json")
        areas = load_json(cat / "clinical-areas.json")["areas"]
        d = load_json(definition)

        self.area_range = {
            a["id"]: (a["age_range"]["min"], a["age_range"]["max"])
            for a in areas if a.get("age_range")
        }
        self.adult_area = {c["id"]: c["adult_area"] for c in conditions if c.get("adult_area")}
        self.cyp_area = {c["id"]: c["cyp_area"] for c in conditions if c.get("cyp_area")}
        self.long_term = [c["id"] for c in conditions if c.get("long_term")]

        cats = ethnicity["categories"]
        self.broad_group = {c["code"]: c["broad_group"] for c in cats}
        self.minority = {c["code"]: bool(c.get("minority")) for c in cats}
        # A code the catalogue does not know is reported like "not stated" (code 99).
        self.not_stated = self.broad_group.get("99", "not_stated")
        self.broad_groups = [g["id"] for g in ethnicity["broad_groups"]]

        self.adult_min_age = d["adult_min_age"]
        self.cyp_range = (d["cyp_age_range"]["min"], d["cyp_age_range"]["max"])
        bands = sorted(d["age_bands"])
        self.age_bands = bands
        self.band_labels = [f"{lo}-{nxt - 1}" for lo, nxt in zip(bands, bands[1:])]
        self.band_labels.append(f"{bands[-1]}+")
        # A group scoped to Places holds for no one without a place lookup (equitas counts it
        # so when no --place-lookup is given, as here).
        self.plus_groups = [
            (g["id"], "never" if g.get("places") else g["rule"]) for g in d["plus_groups"]
        ]

        # (condition, area, min_age, max_age): an adult area applies from adult_min_age; a CYP
        # area within the CYP age range intersected with the area's own age_range, if any.
        rows = [(c, a, self.adult_min_age, NO_UPPER_AGE) for c, a in self.adult_area.items()]
        lo, hi = self.cyp_range
        for cond, area in self.cyp_area.items():
            alo, ahi = self.area_range.get(area, (lo, hi))
            rows.append((cond, area, max(lo, alo), min(hi, ahi)))
        self.condition_area_rows = rows

        # The label set of every output column.
        self.types = {
            "core20": enum(["yes", "no", "unknown"]),
            "imd_quintile": enum(["1", "2", "3", "4", "5", "unknown"]),
            "ethnic_group": enum([*self.broad_groups, *self.broad_group.values(),
                                  self.not_stated]),
            "sex": enum([*SEX.values()]),
            "age_band": enum([*self.band_labels, "unknown"]),
            "area": enum(["all", *(r[1] for r in rows), "smoking_cessation"]),
            "plus_group": enum(["all", *(gid for gid, _ in self.plus_groups)]),
        }


# --------------------------------------------------------------------------------------------
# Expressions
# --------------------------------------------------------------------------------------------

def id_list(col: str) -> pl.Expr:
    """A `;`-separated id column as a list of trimmed, non-empty ids (empty list if blank)."""
    return (
        pl.col(col).fill_null("").str.split(";")
        .list.eval(pl.element().str.strip_chars())
        .list.filter(pl.element() != "")
    )


def age_between(lo: int, hi: int) -> pl.Expr:
    """Age in [lo, hi]; false when the age is unknown."""
    return pl.col("age").is_between(lo, hi).fill_null(False)


def any_in(col: str, ids: list[str]) -> pl.Expr:
    return pl.col(col).list.eval(pl.element().is_in(ids)).list.any().fill_null(False)


def rule_expr(rule, seeds: Seeds) -> pl.Expr:
    """Compile a PLUS-group rule (serde's externally tagged enum) to a boolean expression.

    Every leaf is false rather than null for unknown data, so `not` of an age rule holds for a
    person of unknown age.
    """
    if rule == "never":
        return pl.lit(False)
    if isinstance(rule, str):
        name, arg = rule, None
    elif isinstance(rule, dict) and len(rule) == 1:
        (name, arg), = rule.items()
    else:
        raise ValueError(f"unrecognised PLUS rule: {rule!r}")

    if name == "any_flag":
        return any_in("groups_l", arg)
    if name == "any_condition":
        return any_in("conditions_l", arg)
    if name == "ethnic_minority":
        return pl.col("minority")
    if name == "ethnic_categories":
        return pl.col("ethnic_code").is_in(arg)
    if name == "long_term_conditions_at_least":
        return pl.col("long_term_count") >= arg
    if name == "age":
        return age_between(arg["min"], arg["max"])
    if name == "cyp":
        return age_between(*seeds.cyp_range)
    if name == "any_of":
        return pl.any_horizontal(pl.lit(False), *(rule_expr(r, seeds) for r in arg))
    if name == "all_of":
        return pl.all_horizontal(pl.lit(True), *(rule_expr(r, seeds) for r in arg))
    if name == "not":
        return ~rule_expr(arg, seeds)
    raise ValueError(f"unknown PLUS rule kind: {name!r}")


def age_band(seeds: Seeds) -> pl.Expr:
    """Age band label from the definition's lower bounds ("0-4", ..., "85+") or "unknown"."""
    age = pl.col("age")
    breaks, labels = seeds.age_bands[1:], seeds.band_labels
    binned = (
        age.bin_intervals(breaks, labels=labels) if hasattr(age, "bin_intervals")  # polars 2
        else age.cut(breaks, labels=labels, left_closed=True)
    )
    # Unknown age, or one below the first bound (when that is not 0), has no band.
    return (
        pl.when(age >= seeds.age_bands[0]).then(binned.cast(pl.String))
        .otherwise(pl.lit("unknown"))
        .cast(seeds.types["age_band"])
    )


# --------------------------------------------------------------------------------------------
# The job
# --------------------------------------------------------------------------------------------

def counts_query(records: Path, imd: Path, seeds: Seeds) -> pl.LazyFrame:
    """The whole job as one lazy query.

    persons      one row per record: pid, the five breakdowns and what the rules need
    person_area  (pid, area): "all", each area a condition puts the person in, smoking_cessation
    person_plus  (pid, plus_group): "all" and each PLUS group whose rule holds
    counts       persons x person_area x person_plus joined on pid, grouped and counted
    """
    types = seeds.types
    header = pl.read_csv(records, n_rows=0, infer_schema=False).columns
    raw = pl.scan_csv(records, infer_schema=False)  # every column as String
    missing = [c for c in RECORD_COLUMNS if c not in header]
    if missing:
        raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)

    imd_header = pl.read_csv(imd, n_rows=0, infer_schema=False).columns
    lookup = (
        pl.scan_csv(imd, infer_schema=False)
        .select(
            pl.col(imd_header[0]).str.strip_chars().alias("lsoa"),
            pl.col("IMD_decile").str.strip_chars().cast(pl.Int32, strict=False)
            .alias("lsoa_decile"),
        )
        .unique(subset="lsoa", keep="first")
    )

    age = pl.col("age").str.strip_chars().cast(pl.Int32, strict=False)
    ethnic_code = pl.col("ethnicity").fill_null("").str.strip_chars().str.to_uppercase()
    persons = (
        raw.with_row_index("pid")
        .select(
            "pid",
            pl.col("lsoa").fill_null("").str.strip_chars(),
            pl.col("imd_decile").str.strip_chars().cast(pl.Int32, strict=False)
            .alias("given_decile"),
            pl.when(age >= 0).then(age).alias("age"),
            pl.col("sex").fill_null("").str.strip_chars().str.to_lowercase()
            .replace_strict(SEX, default="unknown", return_dtype=types["sex"]),
            pl.when(ethnic_code == "").then(pl.lit("99")).otherwise(ethnic_code)
            .alias("ethnic_code"),
            id_list("conditions").alias("conditions_l"),
            id_list("groups").alias("groups_l"),
            (pl.col("smoking").fill_null("").str.strip_chars().str.to_lowercase() == "current")
            .alias("smoker"),
        )
        .join(lookup, on="lsoa", how="left")
    )

    # An empty lsoa falls back to the record's own decile; an lsoa not in the file is unknown.
    decile = pl.when(pl.col("lsoa") == "").then("given_decile").otherwise("lsoa_decile")
    quintile = (pl.when(decile.is_between(1, 10)).then(decile) + 1) // 2
    persons = persons.with_columns(
        quintile.alias("quintile"),
        pl.col("ethnic_code")
        .replace_strict(seeds.broad_group, default=seeds.not_stated,
                        return_dtype=types["ethnic_group"])
        .alias("ethnic_group"),
        pl.col("ethnic_code")
        .replace_strict(seeds.minority, default=False, return_dtype=pl.Boolean)
        .alias("minority"),
        pl.col("conditions_l").list.unique()
        .list.eval(pl.element().is_in(seeds.long_term)).list.sum()
        .alias("long_term_count"),
        age_band(seeds).alias("age_band"),
    ).with_columns(
        pl.when(pl.col("quintile") == 1).then(pl.lit("yes"))
        .when(pl.col("quintile").is_not_null()).then(pl.lit("no"))
        .otherwise(pl.lit("unknown"))
        .cast(types["core20"]).alias("core20"),
        pl.col("quintile").cast(pl.String).fill_null("unknown")
        .cast(types["imd_quintile"]).alias("imd_quintile"),
    )

    breakdowns = persons.select("pid", *KEYS[:5])

    condition_areas = pl.LazyFrame(
        seeds.condition_area_rows,
        schema={"condition": pl.String, "area": types["area"],
                "min_age": pl.Int32, "max_age": pl.Int32},
        orient="row",
    )
    by_condition = (
        persons.select("pid", "age", pl.col("conditions_l").alias("condition"))
        .explode("condition")
        .join(condition_areas, on="condition")
        .filter(pl.col("age").is_between("min_age", "max_age"))  # unknown age: dropped
        .select("pid", "area")
    )
    smoking = persons.filter("smoker").select(
        "pid", pl.lit("smoking_cessation", dtype=types["area"]).alias("area"))
    person_area = pl.concat([
        persons.select("pid", pl.lit("all", dtype=types["area"]).alias("area")),
        pl.concat([by_condition, smoking]).unique(),  # two conditions may share an area
    ])

    person_plus = (
        persons.select(
            "pid",
            pl.lit(True).alias("all"),
            *(rule_expr(rule, seeds).alias(gid) for gid, rule in seeds.plus_groups),
        )
        .unpivot(index="pid", variable_name="plus_group", value_name="member")
        .filter("member")
        .select("pid", pl.col("plus_group").cast(types["plus_group"]))
    )

    return (
        breakdowns.join(person_area, on="pid")
        .join(person_plus, on="pid")
        .group_by(KEYS)
        .len(name="people")
        .with_columns(pl.col(KEYS).cast(pl.String))
        .sort(KEYS)
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", required=True, type=Path, help="person-records CSV")
    ap.add_argument("--imd", required=True, type=Path,
                    help="IMD lookup CSV (area code in the first column, IMD_decile)")
    ap.add_argument("--repo", required=True, type=Path, help="equitas repository (for seeds/)")
    ap.add_argument("--definition", type=Path,
                    help="cohort definition JSON (default: REPO/seeds/definitions/national.json)")
    ap.add_argument("--out", type=Path, help="write the counts CSV here (nothing is written "
                                             "without it)")
    args = ap.parse_args(argv)

    definition = args.definition or args.repo / "seeds" / "definitions" / "national.json"
    seeds = Seeds(args.repo, definition)

    start = time.perf_counter()
    counts = counts_query(args.records, args.imd, seeds).collect()
    seconds = time.perf_counter() - start

    # Every person has exactly one (area "all", plus_group "all") row.
    rows = int(
        counts.filter((pl.col("area") == "all") & (pl.col("plus_group") == "all"))["people"].sum()
    )
    if args.out:
        counts.write_csv(args.out)
    print(json.dumps({
        "rows": rows,
        "seconds": round(seconds, 6),
        "rows_per_second": round(rows / seconds) if seconds > 0 else None,
        "polars": pl.__version__,
        "threads": pl.thread_pool_size(),
    }), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
