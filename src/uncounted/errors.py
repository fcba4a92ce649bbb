"""Errors that a user can fix: the CLI prints them as one line, never a traceback."""


class UserError(Exception):
    """A problem in the user's input (file, mapping, workspace, option).

    The message must name what is wrong and where (file, row, field), and must never
    contain a victim's name: it may be printed to a log.
    """
