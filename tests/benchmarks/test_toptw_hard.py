"""The TOPTW subset runner's report: a target holds on every seed, so each problem's lowest
seed and every row below the worst-case target are shown, not only the mean."""

from benchmarks.toptw_hard import report


def _row(seed: int, value: float, valid: bool = True) -> dict:
    return {
        "instance": "pr10",
        "m": 4,
        "method": "auto@2",
        "variant": "base",
        "seed": seed,
        "value": value,
        "valid": valid,
        "wall": 1.9,
        "load": 0.5,
    }


def test_each_problem_shows_its_mean_and_its_lowest_seed() -> None:
    rows = [_row(0, 1000.0), _row(1, 960.0)]
    lines = report(rows, {("pr10", 4): (1000.0, "test")}, {})
    assert "| pr10 m=4 | 98.0 / 96.0 |" in lines


def test_the_rows_below_the_target_are_listed_by_seed_and_an_invalid_plan_counts_as_none() -> None:
    rows = [_row(0, 990.0), _row(1, 960.0), _row(2, 1000.0, valid=False)]
    lines = report(rows, {("pr10", 4): (1000.0, "test")}, {})
    below = next(line for line in lines if "below 97 %" in line)
    assert "2 of 3 below 97 %" in below
    assert "pr10 m=4 seed 1" in below and "pr10 m=4 seed 2" in below
    assert "seed 0" not in below


def test_without_a_best_known_score_the_best_value_found_is_the_target() -> None:
    rows = [_row(0, 500.0), _row(1, 480.0)]
    lines = report(rows, {}, {("pr10", 4): 500.0})
    assert "| pr10 m=4 | 98.0 / 96.0 |" in lines
    assert any("1 of 2 below 97 %: pr10 m=4 seed 1" in line for line in lines)
