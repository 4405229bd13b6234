"""Document model → .docx bytes: style profile or reference, WordprocessingML, charts, zip."""
