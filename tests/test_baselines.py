"""The one table of published baselines: provenance on every row, and the corrected
attributions."""

from helpers import baselines


def test_every_row_states_its_provenance():
    for dataset in baselines.PUBLISHED:
        for row in baselines.published(dataset):
            assert {
                "model",
                "resolution",
                "auc",
                "acc",
                "pretrained",
                "ensemble",
                "source",
            } <= set(row)
            assert row["source"].startswith("MedMNIST v2") and row[
                "resolution"
            ].startswith("28")
            assert row["auc"] is None or 0.5 < row["auc"] < 1


def test_best_published_numbers_and_who_holds_them():
    assert baselines.best("breastmnist")["auc"] == 0.919
    assert baselines.best("pneumoniamnist")["model"] == "Google AutoML Vision"
    retina = baselines.best("retinamnist")
    assert retina["model"] == "Google AutoML Vision" and (
        retina["auc"],
        retina["acc"],
    ) == (0.750, 0.531)
    adrenal_auc, adrenal_acc = (
        baselines.best("adrenalmnist3d"),
        baselines.best("adrenalmnist3d", "acc"),
    )
    assert (
        adrenal_auc["auc"] == 0.839
        and adrenal_auc["acc"] == 0.754
        and "ACS" in adrenal_auc["model"]
    )
    assert adrenal_acc["acc"] == 0.802 and adrenal_acc["model"] == "auto-sklearn"


def test_table_rows_feed_the_benchmark_table():
    rows = baselines.table_rows("adrenalmnist3d")
    assert [set(r) for r in rows] == [{"model", "test AUC", "test ACC"}] * 2
    assert rows[1]["test AUC"] == "-" and "pre-trained: no" in rows[1]["model"]
