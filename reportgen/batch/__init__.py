"""A project and options in, reports on disk out: plan jobs per period → state (what is current) → jobs rendered (in workers) → atomic outputs."""
