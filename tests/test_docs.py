"""The docs cannot drift: rendered blocks equal what the code renders, the README's commands
are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

from negotiations.diagram import mermaid

ROOT = Path(__file__).resolve().parent.parent


def test_the_rendered_mermaid_block_in_the_docs_is_the_current_diagram() -> None:
    text = (ROOT / "docs" / "diagram.md").read_text(encoding="utf-8")
    block = re.search(r"```mermaid\n(.*?)\n```", text, re.DOTALL)
    assert block is not None
    assert block.group(1) == mermaid()


def test_the_readme_opens_with_the_two_commands_a_new_user_types() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)\n```", text, re.DOTALL)
    assert block is not None
    install_and_demo, install_and_test = block.group(1).splitlines()
    assert "pip install ." in install_and_demo
    assert install_and_demo.endswith("negotiations demo")
    assert "pip install '.[test]'" in install_and_test
    assert install_and_test.endswith("pytest")


def test_ci_runs_the_readme_commands_rather_than_its_own() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "README.md" in script
    assert "mypy --strict negotiations" in script
    assert "ruff check" in script


def test_every_doc_page_is_linked_from_the_index() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    for page in (ROOT / "docs").glob("*.md"):
        if page.name != "index.md":
            assert f"({page.name})" in index, page.name


def test_the_api_reference_names_exactly_the_exported_names() -> None:
    """Each bullet of docs/api.md opens with the names it documents, up to its dash."""
    import negotiations

    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    bullets = re.findall(r"^- (.*?)(?=^- |^#|\Z)", text, re.MULTILINE | re.DOTALL)
    leads = [" ".join(bullet.split()).split(" — ")[0] for bullet in bullets]
    functions = "open|read_process|write_process|record_2025|simulate"
    documented = {
        name
        for lead in leads
        for name in re.findall(rf"`([A-Z][A-Za-z_]*|{functions})(?=[`(])", lead)
    }
    # ``open`` is documented API reached as negotiations.open, kept out of __all__ so that a
    # star import does not shadow the builtin.
    assert documented == set(negotiations.__all__) | {"open"}
