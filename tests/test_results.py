"""The results page is generated from results/*.json and agrees with them; the files hold what the issue asks."""
import json
import sys

from tests.book import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import results_page  # noqa: E402

KEYS = {"test_auc_mean", "test_auc_sd", "test_acc_mean", "test_acc_sd", "seeds", "train_seconds_mean", "peak_rss_mb",
        "baseline_article_cnn", "runs"}


def test_every_case_study_has_three_seed_results():
    for name in results_page.DATASETS:
        file = ROOT / "results" / f"{name}.json"
        assert file.is_file(), f"{file.name} missing: run make bench"
        result = json.loads(file.read_text())
        assert KEYS <= set(result), f"{file.name} lacks {sorted(KEYS - set(result))}"
        assert result["seeds"] == [0, 1, 2] and len(result["runs"]) == 3
        aucs = [r["test_auc"] for r in result["runs"]]
        assert abs(sum(aucs) / 3 - result["test_auc_mean"]) < 1e-3
        assert 0.5 < result["test_auc_mean"] <= 1 and 0 < result["test_acc_mean"] <= 1


def test_results_page_matches_the_files():
    page = (ROOT / "book" / "results.md").read_text()
    assert page == results_page.render(), "book/results.md is stale: run python scripts/results_page.py"
