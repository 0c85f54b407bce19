"""Errors about user input that name the file at fault, the problem and the fix."""

from __future__ import annotations

import os


class InputError(ValueError):
    """A file or folder that cannot be used as given.

    Attributes:
        path: The file or folder at fault.
        problem: What is wrong with it.
        fix: What to do about it.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str, fix: str) -> None:
        self.path = str(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{self.path}: {problem}. {fix}")
