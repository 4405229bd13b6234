"""Run reportgen from a checkout without installing it: ``python cli.py build``."""
from reportgen.cli import run

if __name__ == "__main__":
    run()
