"""Character widths, as table layout and title breaking count them."""
from reportgen.chars import is_wide, width_chars


def test_width_counts_wide_as_one_others_as_half_and_a_quarter_per_switch():
    assert width_chars("") == 0
    assert width_chars("中文") == 2
    assert width_chars("ab") == 1
    assert width_chars("中文ab") == 3.25
    assert width_chars("a中b") == 2.5
    assert width_chars("“六小”行业2085户次") == 8 + 2 + 0.5
    assert [is_wide(c) for c in "中a，,…—·"] == [True, False, True, False, True, True, False]
