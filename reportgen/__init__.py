"""reportgen: quarterly work reports (季度工作汇报) in the GB/T 9704-2012 format."""

__version__ = "0.1.0"
