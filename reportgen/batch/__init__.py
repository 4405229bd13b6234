"""A whole build: plan jobs per period → state (what is current) → each job rendered (in workers) → atomic outputs."""
