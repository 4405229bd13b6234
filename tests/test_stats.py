"""The contract's phrasing rules for derived statistics, one by one."""
from decimal import Decimal as D

import pytest

from reportgen.figures.phrases import Metric, change, completion, format_value, pace


def metric(unit="户次", value="2085", **kw):
    return Metric("x", "检查", unit, D(value), **{k: D(v) if isinstance(v, str) and k != "approx" else v
                                                  for k, v in kw.items()})


@pytest.mark.parametrize("value,base,phrase", [
    ("449", "400", "同比增长12.3%"),         # 12.25 rounds half away from zero
    ("2085", "1702", "同比增长22.5%"),
    ("400", "449", "同比下降10.9%"),
    ("122.45", "100", "同比增长22.5%"),      # 22.45 → 22.5, never banker's 22.4
    ("77.55", "100", "同比下降22.5%"),       # half away from zero on the negative side too
    ("1000", "1000", "同比持平"),
    ("100004", "100000", "同比持平"),        # 0.004% rounds to 0.0 → 持平
])
def test_yoy_relative_change(value, base, phrase):
    assert metric(value=value, last_year=base).yoy == phrase


def test_rounding_exactly_half_goes_up():
    # 0.05% exactly: rounds to 0.1, not to 0.0
    assert metric(value="100050", last_year="100000").yoy == "同比增长0.1%"
    assert metric(value="99950", last_year="100000").yoy == "同比下降0.1%"


def test_qoq_and_ytd_yoy():
    m = metric(value="2085", previous="1830", ytd="6120", ytd_last_year="5400")
    assert m.qoq == "环比增长13.9%"
    assert m.ytd_yoy == "累计同比增长13.3%"
    assert metric(value="5", previous="5").qoq == "环比持平"
    assert metric(ytd="5", ytd_last_year="5").ytd_yoy == "累计同比持平"


@pytest.mark.parametrize("attr", ["yoy", "qoq", "ytd_yoy", "completion", "pace"])
def test_missing_base_is_empty_and_falsy(attr):
    phrase = getattr(metric(), attr)
    assert phrase == "" and not phrase


def test_zero_base_is_empty_for_counts():
    m = metric(value="12", last_year="0", previous="0", ytd="3", target="0")
    assert not m.yoy and not m.qoq and not m.completion and not m.pace
    assert str(m.yoy) == ""


def test_rates_change_in_percentage_points():
    m = metric(unit="%", value="96.2", last_year="88.2", previous="97.0")
    assert m.yoy == "同比提高8.0个百分点"
    assert m.qoq == "环比降低0.8个百分点"
    assert metric(unit="%", value="50", last_year="50").yoy == "同比持平"
    # a base of 0% is a valid base for a rate
    assert metric(unit="%", value="2.5", last_year="0").yoy == "同比提高2.5个百分点"


def test_a_full_width_percent_sign_marks_a_rate_too():
    """"％" is how a Chinese input method types "%": the same rate, printed as written."""
    m = metric(unit="％", value="90", last_year="80")
    assert m.yoy == "同比提高10.0个百分点" and str(m) == "90％"


def test_completion_and_pace():
    m = metric(ytd="6120", target="8000", elapsed=75)
    assert m.completion == "完成年度目标的76.5%"
    assert m.pace == "高于时序进度1.5个百分点"
    assert metric(ytd="5856", target="8000", elapsed=75).pace == "低于时序进度1.8个百分点"
    assert metric(ytd="6000", target="8000", elapsed=75).pace == "与时序进度持平"
    assert metric(ytd="8400", target="8000").completion == "超额完成年度目标（完成105.0%）"
    assert metric(ytd="8000", target="8000").completion == "超额完成年度目标（完成100.0%）"


def test_values_print_as_written():
    assert str(metric(value="11000")) == "11000户次"
    assert str(metric(value="2085", approx="余")) == "2085余户次"
    assert format_value(D("5.50")) == "5.5"
    assert format_value(D("38.655")) == "38.66"
    assert format_value(D("-1.005")) == "-1.01"
    assert format_value(D("3.10")) == "3.1"
    assert format_value(D("7.00")) == "7"


def test_no_inf_or_nan_ever():
    for base in ("0", "0.0"):
        assert "inf" not in str(change("同比", D("5"), D(base), False))
    assert not completion(D("5"), D("0")) and not pace(D("5"), D("0"), 75)


def test_completion_and_pace_round_half_away_from_zero():
    # 1225 / 8000 = 15.3125% → 15.3; 1226 / 4000 = 30.65% exactly → 30.7 (half-even would give 30.6)
    assert metric(ytd="1226", target="4000").completion == "完成年度目标的30.7%"
    assert metric(ytd="1226", target="4000", elapsed=25).pace == "高于时序进度5.7个百分点"   # 5.65 → 5.7
    assert metric(ytd="978", target="4000", elapsed=25).pace == "低于时序进度0.6个百分点"    # -0.55 → -0.6
