"""Files in, checked values out: unit files, workbooks, the summary file and reportgen.yaml → Unit, Settings (every problem located)."""
