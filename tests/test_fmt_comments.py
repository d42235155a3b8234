"""fmt keeps a comment above a subject with that subject, and refuses to drop any other."""

from __future__ import annotations

from click.testing import CliRunner

from nephrokb.cli import main

COMMENTED = """# Leading comment.
@prefix kb: <https://w3id.org/nephrokb/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

# About b.
kb:b rdfs:label "B"@en .

# About a, two lines
# second line.
kb:a rdfs:label "A # not a comment"@en .
"""
CANONICAL = """# Leading comment.

@prefix kb: <https://w3id.org/nephrokb/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

# About a, two lines
# second line.
kb:a rdfs:label "A # not a comment"@en .

# About b.
kb:b rdfs:label "B"@en .
"""
STRAY = """@prefix kb: <https://w3id.org/nephrokb/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

kb:a rdfs:label "A"@en ;
    # inside a statement
    rdfs:comment "x" . # after code
# at the end
"""


def test_a_comment_above_a_subject_moves_with_it(tmp_path):
    path = tmp_path / "commented.ttl"
    path.write_text(COMMENTED)
    result = CliRunner().invoke(main, ["fmt", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_text() == CANONICAL
    again = CliRunner().invoke(main, ["fmt", "--check", str(path)])
    assert again.exit_code == 0  # formatting twice changes nothing


def test_comments_with_no_subject_are_listed_and_the_file_left_alone(tmp_path):
    path = tmp_path / "stray.ttl"
    path.write_text(STRAY)
    result = CliRunner().invoke(main, ["fmt", str(path)])
    assert result.exit_code == 2
    assert result.output == (
        f"nephrokb: error: {path}: would drop 3 comments that precede no subject (inside a "
        "statement, after code, or at the end); move them above a subject, or pass "
        f"--drop-comments:\n  {path}:5: # inside a statement\n  {path}:6: # after code\n"
        f"  {path}:7: # at the end\n"
    )
    assert path.read_text() == STRAY


def test_drop_comments_drops_them(tmp_path):
    path = tmp_path / "stray.ttl"
    path.write_text(STRAY)
    result = CliRunner().invoke(main, ["fmt", "--drop-comments", str(path)])
    assert result.exit_code == 0, result.output
    assert not [line for line in path.read_text().splitlines() if "# " in line]
