"""Office Open XML building blocks the .docx and .xlsx writers share: packages (parts, content types, relationships) in, deterministic zip bytes out; the Office theme."""
