"""Rows in, .xlsx bytes out: the summary's statistics table (汇总表.xlsx) and a chart's embedded workbook."""
