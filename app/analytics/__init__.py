"""Analytics core of OKO Cases: pure pandas/numpy/scipy on plain data, no Flask request,
session or database access. User-facing texts are English msgids passed through gettext.

Public API (all inputs and outputs are plain bytes, dicts, dataclasses or DataFrames)
=====================================================================================

Test specifications (§2) — ``app.analytics.spec``
    ``parse_specs(source: bytes | str | list[dict]) -> list[TestSpec]``
        Raises ``SpecError(problems)``; ``Problem.row`` is the 1-based object number in the file,
        ``Problem.column`` the offending key. Checks: task maxima add up to ``max_score``,
        thresholds for 3 < 4 < 5 within 1..max_score, levels Б/П (Latin B/P accepted), unique
        task ids, one spec per (year, subject, grade).
    ``TestSpec``: year, subject, grade, code, max_score, thresholds (lowest score for 3, 4, 5),
        tasks (``Task(id, max, level)``); ``.key`` = (year, subject, grade);
        ``.mark_for(scores) -> np.ndarray`` marks 2..5; ``.to_dict()``; ``specs_to_json(specs)``.

VPR results (§1) — ``app.analytics.vpr``
    ``read_vpr(data: bytes, specs, *, known_schools: Iterable[str] | None = None,
    max_problems: int = 200) -> VprImport``
        CSV (UTF-8 with/without BOM or Windows-1251; ``;`` or ``,``) or XLSX. A file with any
        problem gives ``ok == False`` and an EMPTY ``frame``: import it whole or not at all.
        ``VprImport`` fields:
        * ``problems: list[app.tabular.Problem]`` — ``row`` is the row number a person sees in
          the file (header = its own row; blank lines counted), ``column`` the header as written
          (task columns: the task id). At most ``max_problems``, then one "… and N more".
          ``total_problems`` counts them all.
        * ``frame`` — one row per participant per test work:
          ``row`` int32 (file row), ``year`` int16, ``subject`` category (as in the spec),
          ``code`` category (РУ, МА…), ``grade`` int8, ``school_login`` category (lower case),
          ``participant`` str, ``class`` category, ``variant`` category, ``score`` int16,
          ``mark`` int8, ``journal_mark`` Int8 (NA = empty), and ``task_<id>`` Int8 per task
          column of the file (NA where the row's test has no such task; X/Х = 0).
        * ``schools`` — login, name, municipality (first row of each login), participants,
          known (bool; NA when ``known_schools`` was not given). ``new_schools`` — list of
          {login, name, municipality} not in ``known_schools``: create them, then report them.
        * ``works`` — year, subject, code, grade, school_login, participants (plain values,
          sorted by those keys): the units that replace earlier data for the same (year,
          subject, grade, school).
        Checks: required columns; year 2000..2100; grade 4..11; a spec for (year, subject,
        grade); login ``edu`` + 6 digits; municipality and name present; participant unique
        within (test work, school); task cells integer 0..max or X/Х, empty exactly where the
        spec has no task; score = sum of task scores; mark = the spec's scale; journal mark
        empty or 2..5.

Signs of non-objectivity — ``app.analytics.signs`` (rules in ``app.analytics.rules``)
    ``RULES: dict[name, Rule]`` — name, number (sign 1..5 of DOMAIN.md), version, title
        (msgid), defaults. Rules, versions and defaults:
        1 ``above_region`` (1.2) share of marks 4–5 vs the reference group — specialised
          schools are compared with specialised ones only (leave-one-out); margin 0.15,
          min_group 10, min_reference 30.
        2 ``inversion`` (2.2) pattern: Б rate below the region + ``basic_slack`` (0.05: an
          average school checked generously on П tasks qualifies, a strong specialised one
          does not), (П rate − region) − (Б rate − region) ≥ margin and the П rate ≥ margin
          above ``expected_advanced_rate`` (what schools with the same Б rate achieve: a
          robust weighted quadratic fit over the test's schools); the test is on that excess
          over the expectation (a weak honest school loses more on П tasks than on Б ones);
          margin 0.10, min_group 10.
        3 ``journal_mismatch`` (2.1) pattern: mean (VPR mark − journal mark) ≥ the region's +
          margin and more raised than in the region; evidence has the shares lowered /
          confirmed / raised and differing by ≥ 2. The test uses the primary score: per pupil
          (score − the other schools' mean score for the same journal mark) / SD, averaged per
          work (``score_excess_sd``), against 0 (``p_value_vs_others``) and against what the
          school's own excess in the same subject and grade LAST year predicts (robust
          regression over schools; ``p_value_vs_last_year``, when last year had ≥ min_group
          pairs); p = 2 × the smaller (Bonferroni). Margin 0.25 marks, min_group 10 pairs,
          min_reference 30.
        4 ``boundary_peaks`` (3.3) a score test of bunching: around each 3/4/5 threshold t a
          window of scores (t − below − control … t + above + control − 1) follows the region's
          histogram of the test (the school left out) tilted by a local slope and curvature
          (the school's ability); the alternative moves a share π of the pupils up to b points
          under t onto the ``above`` (1) points at t. The efficient score (slope and curvature
          profiled out), skew-corrected (Pearson III) and scaled by the spread of all works' z
          below their median (RMS distance, never below 1: bunching only raises z, so the
          works with it cannot widen the scale), is computed for each deficit width b in
          ``widths`` (2, 3; ``below`` 3 is the widest), over the boundaries where ≥ 1 work is
          expected at t together and, with ``single_boundaries``, each alone: the best of these
          8 statistics is the work's, its p × 8 (Bonferroni) the work's p; the school route
          combines each work's best p before that correction (``combination_p``), since its
          empirical null absorbs the choice. Pattern: ``share_moved`` (π̂) ≥ margin 0.10;
          control 3, min_works 30 (DOMAIN.md: 20–30 a rough minimum). Evidence:
          ``moved_from_points``,
          ``boundaries_tested``, per boundary ``mark<m>_below`` / ``mark<m>_at_boundary`` with
          the region's expected counts (``mark<m>_region_expected_…``), ``peak_mark``,
          ``peak_threshold``.
        5 ``cohort_change`` (2.1) the same cohort in the two years, always "this year's work
          minus the cohort's other year" in mean z-score: a RISE for grade ``to_grade`` (5)
          against ``from_grade`` (4) last year; a FALL for grade 4 against the same pupils in
          grade 5 NEXT year (when ``frame`` holds it: last year's inflated grade 4).
          ``direction`` "both" (default), "rise" or "fall"; margin 0.30 SD, min_group 10 in
          both years; evidence ``direction_tested``, ``mean_z_other_year``.
        6 ``identical_answers`` (1.0) pairs of pupils of one class (the ``class`` column; the
          whole work when there is none) with the same points on every advanced (П) task,
          each match weighted by −log of its chance, against the chance under a permutation
          of each П task's points among the school's pupils of the same band of basic (Б)
          points (``bands`` 4, cut at the test's quantiles): the log ratio observed /
          expected, minus the region's expectation given the work's mean score (a robust
          quadratic fit per test: ceilings make strong schools alike), with τ², a
          skew-corrected tail and the z divided by their robust spread over the test's works
          (never below 1). Pattern: that excess ≥ margin 0.69 (twice); min_group 10;
          evidence ``identical_pairs``, ``expected_identical_pairs``, ``excess_ratio``.
        Every rule also has ``fdr`` 0.10 and ``work_alpha`` 0.05. Signs 1–5 went up a minor
        version with sign 6: their methods are the same, but the whole list they are
        controlled over is longer by sign 6's works, so what fires can change.
        Statistics: one-sided tests that respect sample size AND the ordinary spread between
        honest schools (funnel plot with overdispersion: τ² per test by a robust Paule–Mandel
        estimate on the more precise half of the schools); shares use an exact beta-binomial
        tail (binomial when τ² = 0), means a normal tail with variance v/n + τ² (within-work
        variances shrunk to the test's pooled one). False discoveries are controlled over the
        WHOLE proposed list: Benjamini–Hochberg across every work of every rule that makes
        markers (signs 2–6, and sign 1 when ``external`` is given or
        ``sign1_needs_external`` is False; otherwise sign 1 keeps a list of its own), and
        across every (rule, school) for the school route. A sign FIRES when it is applicable
        (minimum sizes), its pattern holds and either its work's q ≤ fdr, or its school's
        q ≤ fdr, the work belongs to the school's best unit and its own p ≤ work_alpha. A school's p per rule:
        Stouffer z of each unit of its works — all, each subject (its grades), each grade
        (its subjects) — against an empirical null (median/MAD per kind and size of unit,
        never narrower than N(0, 1)), the best unit's p × the number of distinct units (a
        work's z is floored at −2: a capped p of 1 is no evidence against the others).
        For sign 4 (``Rule.school_route`` "strongest", ``signstats.strongest_works``) instead
        the Stouffer z of the school's THREE strongest works, whichever they are (bunching on
        two or three works of different subjects and grades), against the null law of the
        top three of m independent N(0, 1) (m: the school's tested works; a fixed-seed Monte
        Carlo, a union bound beyond it) centred and scaled by the region's schools with the
        same m (their median, and the RMS spread of those below it, which the schools with
        the sign cannot widen; never narrower nor lower than the law); evidence
        ``school_works_combined`` and ``school_works_tested``.
    ``compute_signs(frame, specs, *, year=None, specialised=(), params=None, rules=None,
    external=None, sign1_needs_external=True) -> SignsResult``
        ``frame``: rows of ``VprImport.frame`` for the analysed year and (for signs 3 and 5)
        the previous one, and (for sign 5's fall) the next one when it exists; ``year`` defaults to the latest. ``specialised``: logins (see
        ``specialised_from_directory(directory_frame)`` for a §6 frame). ``params``:
        {rule: {param: value}}; unknown names raise ValueError. ``rules``: subset of names.
        ``external``: DataFrame school_login, code, confirmed (bool) — external exams that do
        (True) or do not (False) confirm high results, for sign 1.
    ``SignsResult``
        * ``results`` — one row per (rule, work in its scope): rule, sign, version, year,
          subject, code, grade, school_login, status ("fired", "not_fired",
          "insufficient_data", "confirmed_externally"), n, p_value, q_value, evidence.
        * ``evidence`` (column, dict for fired rows, else None; JSON-serialisable): rule, sign,
          version, title, params (all used), year, school_login, subject, code, grade,
          numbers (the school's figures), reference (the region's / reference group's
          figures), threshold (margin, fdr, work_alpha), p_value, q_value, school_p_value,
          school_q_value, school_unit ("school", "subject" or "grade": the school's best unit;
          "strongest" for sign 4), school_works_combined, school_works_tested.
          ``SignsResult.evidence(login=None)`` lists them.
        * ``markers`` — one row per tested work: year, subject, code, grade, school_login, n,
          signs ("2,4": fired sign numbers), marker (0/1). Combination: the marker is 1 when
          any of signs 2–5 fired; sign 1 counts only when ``external`` says the exams do not
          confirm the results (with ``sign1_needs_external=False`` it counts alone too),
          because good teaching also produces results above the region.
        * ``rules`` — {name: {sign, version, title, params}}; ``details`` — {rule: per-work
          frame with every number the rule computed} (to explain a non-fired sign too).

Proposed list (§3) — ``app.analytics.proposed``
    ``proposed_list(markers, schools=None) -> DataFrame``: Год, Логин, Муниципалитет, ОО, one
        column per ``<grade> <code>`` (1 marker, 0 tested without marker, NA not written),
        Количество маркеров, Категория («необъективность»); only schools with a marker.
        ``schools``: login, name, municipality (e.g. ``VprImport.schools``).
    ``proposed_list_xlsx(frame) -> bytes``, ``proposed_list_csv(frame) -> bytes``.

Charts (PNG bytes, Agg) — ``app.analytics.charts``
    ``score_histogram_png(scores, spec, *, region_scores=None, title="")`` with mark
    boundaries; ``task_profile(frame, spec, school_login) -> DataFrame`` (task, level, max,
    school, region shares of points) and ``task_profile_png(profile, *, title="")``;
    ``contingency_png(table, *, x_label, y_label, title="")``; ``agreement_png(rows, *,
    title="")`` (rows: label, lowered, confirmed, raised); ``recheck_scatter_png(a, b)``.

Correlation for the information certificate (§4) — ``app.analytics.correlation``
    ``read_student_marks(data) -> (frame, problems)``: columns row, year, school_login, class,
        participant, subject, q1..q4, attestation, vpr, oge (Int8), ege (Int16).
    ``correlate(x, y, *, min_n=10, marks=True) -> dict``: n, min_n, status ("ok",
        "not_enough_data", "constant"), spearman, spearman_p, spearman_ci (95 %, Fisher z with
        the Bonett–Wright SE), kendall_tau_b, kendall_p, kendall_ci (Fieller SE), lowered /
        confirmed / raised / differ_by_2 (shares of y vs x), contingency (4×4 list, rows x
        marks 2..5, columns y), kappa (quadratic-weighted), wording (plain sentence).
    ``correlation_table(frame, *, by=("school_login", "subject", "class"), pairs=DEFAULT_PAIRS,
        min_n=10) -> DataFrame``: one row per group and pair (measure, compared_with, ...).
    ``correlation_records(frame, ...)`` the same as plain dicts without NaN (a class below
        ``min_n`` has no interval key); pairs whose external measure (ВПР, ОГЭ, ЕГЭ) has no
        value in a class give no row; DEFAULT_PAIRS compare each quarter and the attestation
        with the attestation and with ВПР / ОГЭ / ЕГЭ. ``conclusions(rows) -> str``: the
        certificate's findings (ρ below 0.5 or a third of marks lowered; classes too small).
    ``quadratic_kappa(x, y)``, ``describe(result)``.

State exams (§7) — ``app.analytics.exams``
    ``read_exam_results(data) -> (frame, problems)``: row, year, exam («ОГЭ»/«ЕГЭ»), subject,
        school_login, participant, score, test_score (ЕГЭ), mark (ОГЭ); a file with any
        problem gives an empty frame and every problem with its row and column.
    ``exam_confirmation(exams, subject_codes, *, min_group=10, confirm_z=0.0)`` → the
        ``external`` frame of ``compute_signs``: school_login, code, confirmed, exam_n,
        exam_mean_z (ОГЭ marks / ЕГЭ test scores standardised per year, exam and subject).

Evidence in words — ``app.analytics.explain``
    ``explain(evidence) -> {title, sign, rule, finding, test}`` and ``summary(evidence)``:
        what the school shows against the region, which test, p, the whole-list q and its
        threshold, in the reader's language with the locale's decimal comma; the evidence
        dict stays the technical record (exported as JSON).

Regional indicators — ``app.analytics.indicators``
    ``region_indicators(schools, listed, rechecks) -> Indicators`` (region by year with the
        objectivity level, municipalities by year with the share flagged and its trend,
        recheck-confirmed shares, schools' three-year risk profiles); ``indicators_xlsx``.

Other mechanisms of non-objectivity — ``app.analytics.mechanisms``
    ``generate_mechanisms(mechanisms, schools=300, seed=1, *, strength=None, size=None)``:
        regions planting ``wide_bunching``, ``one_boundary_bunching``, ``generous_advanced``,
        ``copying`` or ``lenient_checking`` beside specialised, tiny and honest strong decoys
        (truth has each planted school's strength); for held-out evaluation.

Recheck (§5) — ``app.analytics.recheck``
    ``read_recheck(data) -> (frame, problems)``: school_login, subject, grade, participant,
        score_school, score_recheck, mark_school, mark_recheck.
    ``summarise(frame, *, target=0.9) -> dict``: n, confirmed, lowered, raised,
        share_confirmed, share_confirmed_ci (Clopper–Pearson), target, meets_target,
        mean_shift and sd_shift (recheck − school), wilcoxon_statistic, wilcoxon_p (None when
        no score changed), wording.
    ``recheck_statistics(frame, *, by=("school_login", "subject", "grade"))`` and
    ``recheck_protocol(frame, school_login) -> {school_login, works, summary, by_work}``.

Synthetic regions — ``app.analytics.synthetic``
    ``generate_region(schools=300, seed=1, *, year=2023, planted_share=0.1) ->
    SyntheticRegion`` (specs, results {year: §1 frame with Russian headers}, directory (§6),
    truth: login, kind, planted, year, works, pupils_per_grade);
    ``write_region(region, out_dir) -> list[Path]`` writes vpr_<Y>.csv, specs_<Y>.json,
    schools.csv, truth.csv; ``csv_bytes(frame)``.
"""
