"""Week 0's homework project: the smallest program that has a test."""


def greeting(name: str) -> str:
    """The line the program says to name."""
    return f"Hello, {name}!"
