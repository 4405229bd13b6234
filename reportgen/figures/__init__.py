"""Checked units in, figures out: history filled in, Decimal metrics with their Chinese phrases, summary totals and ranks."""
