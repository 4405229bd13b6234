"""Tables as spreadsheets: the summary's statistics table written as .xlsx."""
