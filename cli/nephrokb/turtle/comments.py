"""Comments in Turtle that `fmt` keeps: each comment block above a subject's statement moves
with that subject into the canonical form; any other comment (inside a statement, at the end
of a line, after the last statement) has no place there and is reported instead.

The leading comment block of a file is kept by fmt itself (nephrokb.editing.fmt.leading_comments).
"""

from __future__ import annotations

from dataclasses import dataclass

from nephrokb.turtle.locator import TOKEN, locate


@dataclass(frozen=True)
class Comment:
    """One comment line: where it is, its text, and the subject it stays with (None: lost)."""

    line: int
    text: str
    subject: str | None


def comment_lines(text: str) -> list[tuple[int, str, bool]]:
    """Return (line, text, alone on its line) of every comment, outside strings and IRIs."""
    found = []
    line = 1
    last_code_line = 0
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        token = match.group()
        if kind == "comment":
            found.append((line, token, last_code_line != line))
        elif kind not in ("space", "newline"):
            last_code_line = line + token.count("\n") if kind == "long_string" else line
        line += token.count("\n")
    return found


def find_comments(text: str, base: str, leading_lines: int) -> list[Comment]:
    """Return the comments after the first `leading_lines` lines, with the subject each
    precedes (the subject whose first statement starts on the next line of code)."""
    lines = text.splitlines()
    starts = {line: subject for subject, line in locate(text, base).subjects.items()}
    comments = []
    for line, comment, alone in comment_lines(text):
        if line <= leading_lines:
            continue
        subject = None
        if alone:
            following = line
            while following < len(lines) and (
                not lines[following].strip() or lines[following].lstrip().startswith("#")
            ):
                following += 1
            next_line = following + 1
            if next_line in starts and not lines[following][:1].isspace():
                subject = starts[next_line]
        comments.append(Comment(line, comment.rstrip(), subject))
    return comments


def place_comments(canonical: str, comments: list[Comment], base: str) -> str:
    """Return the canonical text with each kept comment on the lines above its subject."""
    kept = [comment for comment in comments if comment.subject is not None]
    if not kept:
        return canonical
    starts = locate(canonical, base).subjects
    lines = canonical.splitlines()
    above: dict[int, list[str]] = {}
    for comment in kept:
        above.setdefault(starts[comment.subject], []).append(comment.text)
    for line in sorted(above, reverse=True):
        lines[line - 1 : line - 1] = above[line]
    return "\n".join(lines) + "\n"
