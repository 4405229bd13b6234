"""A whole build: plan jobs per period → state (what is current) → workers → atomic outputs."""
