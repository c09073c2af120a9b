"""vconf: plan virtual and hybrid diplomatic meetings across time zones."""

__version__ = "0.1.0"
