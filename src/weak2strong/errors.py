"""Errors a user can act on: each names what is wrong, where, and how to fix it."""


class Weak2StrongError(Exception):
    """Base class for errors caused by user input (config, data, model names)."""


class ConfigError(Weak2StrongError):
    pass


class DatasetError(Weak2StrongError):
    pass


class ModelNotFoundError(Weak2StrongError):
    pass


class SupervisionError(Weak2StrongError):
    """The weak supervision gives a student nothing to learn from (e.g. a loss keeps no label)."""
