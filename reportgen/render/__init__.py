"""Template context → sandboxed Jinja → Markdown → the document model."""
