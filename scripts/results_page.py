"""Generate book/results.md from src/helpers/results/*.json (written by `make bench`).

tests/test_results.py checks that the page and the files agree.

Published baselines are quoted from Yang et al., MedMNIST v2, Scientific Data 10:41
(2023), Tables 2 and 3 (test split).
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from helpers import baselines, leakage, results  # noqa: E402

RESULTS = results.RESULTS_DIR
PAGE = ROOT / "book" / "results.md"


def _pm(mean, sd):
    return f"{mean:.3f} ± {sd:.3f}"


def _load(result) -> str:
    if "bench_load_average_before" in result and "bench_machine" in result:
        return (
            f"on a {result['bench_machine']}; 1-minute load average "
            f"{result['bench_load_average_before']} "
            f"before and {result['bench_load_average']} at the end of the bench, "
            "which counts its own threads"
        )
    if "bench_load_average" in result:
        return (
            f"1-minute load average {result['bench_load_average']} when the bench "
            "ended, none recorded before"
        )
    return "the load on the machine was not recorded"


def rows():
    """One dict per dataset with our numbers, the baseline's and the published ones
    (None where no results file)."""
    out = []
    for name, case in results.CASE_STUDIES.items():
        file = RESULTS / f"{name}.json"
        r = json.loads(file.read_text()) if file.is_file() else None
        target = case["target"]
        out.append(
            dict(
                name=name,
                chapter=case["notebook"],
                title=case["title"],
                target_values=target,
                target=f"AUC ≥ {target['auc']:.2f}, ACC ≥ {target['acc']:.2f}",
                result=r,
                best_auc=baselines.best(name, "auc")["auc"],
                best_acc=baselines.best(name, "acc")["acc"],
            )
        )
    return out


def table_text() -> str:
    """The benchmark table as plain text, for `make bench`."""
    lines = [
        f"{'dataset':16s} {'our AUC':>15s} {'our ACC':>15s} "
        f"{'article CNN AUC':>16s} {'published AUC':>13s} "
        f"{'train s':>8s} {'peak MiB':>8s}"
    ]
    for row in rows():
        r = row["result"]
        if r is None:
            lines.append(f"{row['name']:16s} (no results file: run make bench)")
            continue
        b = r.get("baseline_article_cnn", {})
        lines.append(
            f"{row['name']:16s} {_pm(r['test_auc_mean'], r['test_auc_sd']):>15s} "
            f"{_pm(r['test_acc_mean'], r['test_acc_sd']):>15s} "
            f"{_pm(b['test_auc_mean'], b['test_auc_sd']) if b else '—':>16s} "
            f"{row['best_auc']:>13.3f} "
            f"{r['train_seconds_mean']:>8.1f} {r.get('peak_rss_mb', 0):>8}"
        )
    return "\n".join(lines)


def _leakage_lines() -> list[str]:
    """The leakage audit table (src/helpers/results/leakage.json,
    scripts/leakage_audit.py)."""
    file = RESULTS / "leakage.json"
    if not file.is_file():
        return [
            "The leakage audit has not been run: `python scripts/leakage_audit.py`.",
            "",
        ]
    audit = json.loads(file.read_text())
    lines = [
        "| dataset | split pair | images | exact copies | near-copies (r > 0.99) | "
        "r > 0.98 | "
        "same label (near pairs) | 1-NN accuracy |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, entry in audit.items():
        for row in entry["pairs"]:
            same = row["same label (near pairs)"]
            lines.append(
                f"| {name} | {row['pair']} | {row['images']} | {row['exact']} | "
                f"{row['r>0.99']} | "
                f"{row['r>0.98']} | {'—' if same is None else f'{same:.3f}'} | "
                f"{row['1-NN accuracy']:.3f} |"
            )
    clean = "; ".join(
        f"{name} {e['clean_test_images']} of {e['test_images']}"
        for name, e in audit.items()
    )
    return lines + [
        "",
        f"Test images with no exact or near-copy in training or validation: {clean}.",
        "",
    ]


def _clean_auc(name: str, r: dict) -> str:
    """Our AUC on the test images with no near-copy in training or validation (the
    leakage audit's clean subset)."""
    audit_file = RESULTS / "leakage.json"
    entry = (
        json.loads(audit_file.read_text()).get(name) if audit_file.is_file() else None
    )
    if "test_auc_clean_mean" in r:
        count = (
            f" ({entry['clean_test_images']} of {entry['test_images']} images)"
            if entry
            else ""
        )
        return _pm(r["test_auc_clean_mean"], r["test_auc_clean_sd"]) + count
    if entry and entry["clean_test_images"] == entry["test_images"]:
        return "same: no test image has a near-copy"
    return "not measured"


def _selection_lines() -> list[str]:
    """Every candidate recipe of each case study with its validation AUC, from
    results/selection/*.json."""
    lines = []
    for name, case in results.CASE_STUDIES.items():
        chapter = case["notebook"]
        file = RESULTS / "selection" / f"{name}.json"
        if not file.is_file():
            lines += [
                f"- {name}: no selection log (run `python scripts/select_recipes.py`).",
                "",
            ]
            continue
        log = json.loads(file.read_text())
        explored = log["candidates"][-1]["name"]
        change = (
            "kept the recipe first explored with test numbers in view"
            if log["chosen"] == explored
            else "changed the recipe first explored with test numbers in view "
            f"({explored})"
        )
        lines += [
            f"**[{name}](../notebooks/{chapter}.ipynb)**: chosen "
            f"*{log['chosen']}*; the clean re-selection "
            f"{change}. Seeds {', '.join(map(str, log['seeds']))}, commit "
            f"{log['commit']}.",
            "",
            "| candidate (simplest first) | validation AUC per seed | mean | chosen |",
            "|---|---|---|---|",
        ]
        for c in log["candidates"]:
            per_seed = ", ".join(f"{r['val_auc']:.3f}" for r in c["runs"])
            lines.append(
                f"| {c['name']} | {per_seed} | {c['val_auc_mean']:.3f} | "
                f"{'yes' if c['name'] == log['chosen'] else ''} |"
            )
        for earlier in sorted((RESULTS / "selection").glob(f"{name}.*.json")):
            old = json.loads(earlier.read_text())
            lines += [
                "",
                f"An earlier run is kept in `{earlier.name}` "
                f"({old.get('note', 'no note')}); it chose "
                f"*{old['chosen']}*.",
            ]
        lines.append("")
    return lines


def _ci(v) -> str:
    return f"{v[0]:.3f} [{v[1]:.3f}, {v[2]:.3f}]"


def _seed_lines(seg: dict) -> list[str]:
    """The U-Net against the classical method over the benchmark's seeds, with the
    verdict rule of every comparison over seeds (``results.compare_seeds``)."""
    runs = seg.get("seed_runs", [])
    if len(runs) < 2:
        return [
            "The comparison has not been repeated over seeds yet (`make bench`).",
            "",
        ]
    metrics = ["dice"] + ["sensitivity"] * all("sensitivity" in r for r in runs)
    tables = {
        m: results.compare_seeds(runs, m, [("U-Net", "classical")]) for m in metrics
    }
    pair = "U-Net vs classical"
    said = {
        m: f"{results.difference_words(t.attrs['stats'][pair])}"
        for m, t in tables.items()
    }
    verdict = {m: t.loc[pair, "verdict"] for m, t in tables.items()}
    found = (
        " In lesion-wise sensitivity (the share of test lesions of which half the "
        f"pixels are found) it is {said['sensitivity']}: {verdict['sensitivity']}."
        if "sensitivity" in said
        else ""
    )
    per_seed = "; ".join(
        f"seed {r['seed']}: Dice {r['dice_unet']:.3f}, "
        f"difference {r['dice']['U-Net'] - r['dice']['classical']:+.3f}"
        for r in runs
    )
    return [
        f"Over {len(runs)} seeds of the U-Net the mean paired difference in lesion "
        f"Dice is {said['dice']} ({per_seed}): {verdict['dice']}, at this training "
        "budget. A "
        "method counts as better only when the 95 % interval over seeds excludes 0 "
        "and every seed agrees." + found,
        "",
    ]


def _beyond_lines() -> list[str]:
    """Segmentation (chapter 17) and generation (chapter 18) headlines from their
    results files."""
    lines = []
    seg_file, gen_file = RESULTS / "segmentation.json", RESULTS / "generation.json"
    if seg_file.is_file():
        seg = json.loads(seg_file.read_text())
        lines += [
            "| [segmentation](../notebooks/17_segmentation.ipynb): lesion Dice on "
            "simulated low-dose CT | "
            "U-Net | threshold + morphology | paired difference (U-Net − classical) |",
            "|---|---|---|---|",
            f"| {seg['n_test_images']} test phantoms, "
            f"{seg['dose_photons_per_ray']:.0e} photons per ray "
            f"(dose fixed before training) | {_ci(seg['dice_unet'])} | "
            f"{_ci(seg['dice_classical'])} | "
            f"{_ci(seg['dice_difference'])} |",
            "",
            "95 % bootstrap intervals over test images (seed 0 of the U-Net); the "
            "difference is a paired bootstrap.",
            "",
            *_seed_lines(seg),
        ]
    if gen_file.is_file():
        gen = json.loads(gen_file.read_text())
        lines += [
            "| [generation](../notebooks/18_generation.ipynb): conditional VAE on "
            "PneumoniaMNIST | value [95 % CI] |",
            "|---|---|",
            "| classifier two-sample test AUC, real vs synthetic (0.5 = "
            "indistinguishable) | "
            f"{_ci(gen['c2st_auc'])} |",
            f"| train on synthetic, test on real: AUC | {_ci(gen['tstr_auc'])} |",
            f"| train on real, test on real: AUC | {_ci(gen['trtr_auc'])} |",
            "| difference (synthetic − real training) | "
            f"{_ci(gen['tstr_minus_trtr'])} |",
            "",
        ]
    return lines or [
        "Not yet measured: execute chapters 17 and 18 with `WRITE_RESULTS = True`.",
        "",
    ]


def _bench_time() -> str:
    files = [
        json.loads((RESULTS / f"{name}.json").read_text())
        for name in results.CASE_STUDIES
        if (RESULTS / f"{name}.json").is_file()
    ]
    walls = [r.get("bench_wall_s") for r in files]
    machines = sorted({r.get("bench_machine", "machine not recorded") for r in files})
    if walls and all(isinstance(w, (int, float)) for w in walls):
        return (
            f"the case studies took {sum(walls) / 60:.0f} min in the last run, on "
            f"a {' / '.join(machines)}; "
            "each one's load is stated above"
        )
    return "its duration has not been measured yet"


def render() -> str:
    """The Markdown of book/results.md."""
    md = [
        "# Results against published benchmarks",
        "",
        "Generated by `scripts/results_page.py` from `src/helpers/results/*.json`, "
        "which `make bench` writes by "
        "re-training each case-study model from scratch with seeds 0, 1 and 2 on a "
        "CPU. Do not edit by hand: "
        "a test fails when this page and the results files disagree.",
        "",
        "All numbers are on the official MedMNIST test split. AUC and ACC follow "
        "the MedMNIST rules (binary: AUC of "
        "the class-1 probability, ACC at threshold 0.5; multi-class: mean "
        "one-vs-rest AUC, arg-max ACC). "
        "*Article CNN* is the source article's model as written (5 epochs, batch "
        "64, adam), trained by this book with "
        "the same seeds: the article itself reports no numbers. Published numbers "
        "come from one table "
        "(`helpers.baselines`), quoted from Yang et al., *MedMNIST v2*, Scientific "
        "Data 10:41 (2023); every model there "
        'is trained from scratch, and its "224" rows are the 28-pixel images '
        "upsampled.",
        "",
        "```{admonition} How far to trust these numbers",
        ":class: warning",
        "These are 28-pixel teaching benchmarks; a higher AUC here says nothing "
        "about clinical performance. Each "
        "recipe was chosen on the validation split alone by one stated rule (the "
        "selection logs below), but the "
        "candidates themselves come from an earlier exploration during which test "
        "numbers were printed too, so the "
        "test split has been seen: treat the numbers as mildly optimistic. "
        "Three of the four sets split training and validation by image, not by "
        "patient (BreastMNIST its test set too; see below), and some test images "
        "nearly copy a training image (the audit below). A difference between two "
        "rows needs a paired test on the same test images before it counts; the "
        "overlapping seed spreads and "
        "bootstrap intervals below show how little 156 or 400 test images can "
        "separate. Each case-study chapter "
        "runs that paired bootstrap for seed 0 of our model against the article's CNN "
        "(`helpers.cases.paired_with_baseline`), and the *clean* column scores our "
        "model again on the test images "
        "with no near-copy in training or validation.",
        "```",
        "",
        "| dataset | our model: AUC | our model: ACC | our model: AUC, clean test "
        "images | article CNN: AUC | article CNN: ACC |",
        "|---|---|---|---|---|---|",
    ]
    against = [  # a second table, so that neither is wider than the page
        "",
        "Against the best published numbers and the benchmark's targets (our means "
        "from the table above):",
        "",
        "| dataset | published best AUC | published best ACC | target | met? |",
        "|---|---|---|---|---|",
    ]
    details = []
    for row in rows():
        r = row["result"]
        link = f"[{row['name']}](../notebooks/{row['chapter']}.ipynb)"
        top_auc, top_acc = (
            baselines.best(row["name"]),
            baselines.best(row["name"], "acc"),
        )
        best_auc = f"{top_auc['auc']:.3f} ({top_auc['model']}, {top_auc['resolution']})"
        best_acc = f"{top_acc['acc']:.3f} ({top_acc['model']}, {top_acc['resolution']})"
        if r is None:
            md.append(f"| {link} | not yet measured | | | | |")
            against.append(
                f"| {link} | {best_auc} | {best_acc} | {row['target']} | — |"
            )
            continue
        b = r.get("baseline_article_cnn") or {}
        target = row["target_values"]
        met = (
            "yes"
            if r["test_auc_mean"] >= target["auc"]
            and r["test_acc_mean"] >= target["acc"]
            else "no"
        )
        md.append(
            f"| {link} | {_pm(r['test_auc_mean'], r['test_auc_sd'])} | "
            f"{_pm(r['test_acc_mean'], r['test_acc_sd'])} | "
            f"{_clean_auc(row['name'], r)} | "
            f"{_pm(b['test_auc_mean'], b['test_auc_sd']) if b else '—'} | "
            f"{_pm(b['test_acc_mean'], b['test_acc_sd']) if b else '—'} |"
        )
        against.append(
            f"| {link} | {best_auc} | {best_acc} | {row['target']} | {met} |"
        )
        ci = r.get("bootstrap_auc_ci95")
        details.append(
            f"- **{row['title']}** ({link}): "
            f"{r.get('model', 'model described in the chapter')}. "
            f"Seeds {', '.join(map(str, r['seeds']))}; mean training time "
            f"{r['train_seconds_mean']:.1f} s per "
            f"run ({_load(r)}); peak memory {r.get('peak_rss_mb', '—')} MiB"
            + (
                f"; bootstrap 95 % CI of the seed-0 test AUC {ci[0]:.3f}–{ci[1]:.3f}"
                if ci
                else ""
            )
            + "."
        )
    published = [
        "| dataset | model | resolution | pre-trained | ensemble | test AUC | test "
        "ACC |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in baselines.PUBLISHED:
        for p in baselines.published(name):
            published.append(
                f"| {name} | {p['model']} | {p['resolution']} | {p['pretrained']} "
                f"| {p['ensemble']} | "
                f"{'—' if p['auc'] is None else format(p['auc'], '.3f')} | "
                f"{p['acc']:.3f} |"
            )
    md += (
        against
        + ["", "## Per dataset", ""]
        + details
        + [
            "",
            "Targets belong to this benchmark, not to the chapters; where one is "
            "missed, the chapter says what was "
            f"tried. To reproduce: `make bench` ({_bench_time()}).",
            "",
            "## How each recipe was chosen",
            "",
            "The same protocol in every case study (`helpers.selection`): the "
            "candidate recipes are listed simplest "
            "first; each is trained with the selection seeds and scored on the "
            "validation split only, on its images "
            "with no near-copy in training (the training code receives the data "
            "without its test split); the highest mean validation AUC wins, except "
            "that a simpler "
            "candidate within 0.01 of the best counts as tied and wins. Each "
            "training keeps the epoch with the best AUC on all validation images "
            "(near-copies included), so a candidate's score is its best epoch's AUC "
            "on images that also chose that epoch: optimistic for every candidate "
            "alike, and one more reason the test split decides nothing. The chosen "
            "recipe then meets the test split once "
            "per seed, in `make bench`. The logs are "
            "`src/helpers/results/selection/*.json`; `scripts/select_recipes.py` "
            "re-runs them. The last candidate of each list is the recipe first "
            "explored with test numbers in view.",
            "",
            *_selection_lines(),
            "## Published baselines",
            "",
            *published,
            "",
            "MedMNIST+ (Doerrich et al., 2024) benchmarks ImageNet-pretrained "
            "backbones at 28 px (these images) and on "
            "the larger MedMNIST+ versions (64, 128 and 224 px); it is context for "
            "what pre-training and resolution buy, not a like-for-like baseline.",
            "",
            "## Beyond classification",
            "",
            *_beyond_lines(),
            "## Which splits can share a patient",
            "",
            "From MedMNIST v2's description of each dataset and its source "
            "(`helpers.leakage.PATIENT_SPLITS`). MedMNIST keeps no patient "
            "identifiers, so this cannot be checked from the data, and the audit "
            "below finds copies of images, not patients. Where training and "
            "validation share patients, the validation score that chooses a recipe "
            "and an epoch is optimistic; where test shares them too, so is the test "
            "score; and a bootstrap over images treats images of one patient as "
            "independent, so its intervals are too narrow.",
            "",
            *[f"- **{name}**: {text}" for name, text in leakage.PATIENT_SPLITS.items()],
            "",
            "## Leakage audit of the splits",
            "",
            "`helpers.leakage` compares every image of a later split with every "
            "image of an earlier one after subtracting "
            "the training mean image: exact byte copies, and near-copies whose "
            "Pearson correlation exceeds 0.99 (0.98 as a "
            "check). *1-NN accuracy* is how often an image takes the right label "
            "from its most correlated image in the "
            "earlier split, with no training at all. Chapter 02 explains the audit.",
            "",
            *_leakage_lines(),
        ]
    )
    return "\n".join(md)


def write() -> Path:
    PAGE.write_text(render())
    return PAGE


if __name__ == "__main__":
    print(write())
