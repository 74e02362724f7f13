"""Histograms of number questions (review, session 6): one implausible SMS answer (999999999999) put 120 of
121 answers in one bin "5–125000000004.2", and whole-number questions got bins like "5–10.6"."""

from __future__ import annotations

from sauti.questionnaires.results import histogram


def test_one_outlier_gets_its_own_bin_instead_of_stretching_the_others() -> None:
    prices = {str(p): 1 for p in range(5, 125)} | {"999999999999": 1}
    bins = histogram(prices)
    assert bins[-1] == ("over 124", 1)
    assert sum(n for _label, n in bins) == 121
    assert max(n for _label, n in bins[:-1]) <= 20  # the 120 ordinary answers spread over the bins
    assert all("." not in label for label, _n in bins)  # whole numbers: whole-number edges


def test_whole_numbers_get_whole_number_bins() -> None:
    bins = histogram({"5": 3, "6": 1, "17": 2, "20": 4})
    assert [label for label, _n in bins] == [
        "5–6",
        "7–8",
        "9–10",
        "11–12",
        "13–14",
        "15–16",
        "17–18",
        "19–20",
    ]
    assert [n for _label, n in bins] == [4, 0, 0, 0, 0, 0, 2, 4]
    assert histogram({"3": 2, "4": 1}) == [("3", 2), ("4", 1)]


def test_decimals_and_a_single_value_and_nothing() -> None:
    assert histogram({"1.5": 2, "2.5": 2})[0] == ("1.5–1.6", 2)
    assert histogram({"7": 9}) == [("7", 9)]
    assert histogram({"abc": 3}) == []
    # Most answers one value: nothing is called far out of it.
    assert sum(n for _label, n in histogram({"0": 50, "1": 1, "40": 1})) == 52
    assert not any(label.startswith("over") for label, _n in histogram({"0": 50, "1": 1, "40": 1}))
