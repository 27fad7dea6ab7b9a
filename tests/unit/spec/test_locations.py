"""Located YAML trees: lines, exact scalar text, merges, duplicates and syntax errors."""

from __future__ import annotations

from decimal import Decimal

from headroom.spec.locations import YMap, YScalar, YSeq, parse_yaml


def _doc(text: str) -> YMap:
    docs, issues = parse_yaml(text, "f.yaml")
    assert issues == []
    assert isinstance(docs[0], YMap)
    return docs[0]


def test_keys_and_items_carry_their_one_based_lines() -> None:
    doc = _doc("service: a\nslos:\n  - name: x\n  - name: y\n")
    assert doc.line_of("service") == 1
    assert doc.line_of("slos") == 2
    slos = doc.get("slos")
    assert isinstance(slos, YSeq)
    assert [item.line for item in slos] == [3, 4]


def test_a_float_keeps_its_written_text_so_the_decimal_is_exact() -> None:
    value = _doc("objective: 0.9995\n").get("objective")
    assert isinstance(value, YScalar)
    assert value.kind == "float"
    assert value.decimal() == Decimal("0.9995")


def test_percent_text_is_a_string_and_yes_is_not_a_boolean_in_yaml_1_2() -> None:
    doc = _doc("a: 99.9%\nb: yes\nc: true\n")
    kinds = {k: v.kind for k, v in doc.items.items() if isinstance(v, YScalar)}
    assert kinds == {"a": "str", "b": "str", "c": "bool"}


def test_merge_keys_apply_and_written_keys_win() -> None:
    doc = _doc("base: &b {x: 1, y: 2}\nthing:\n  <<: *b\n  y: 3\n")
    thing = doc.get("thing")
    assert isinstance(thing, YMap)
    values = {k: v.text for k, v in thing.items.items() if isinstance(v, YScalar)}
    assert values == {"x": "1", "y": "3"}


def test_a_duplicated_key_is_an_issue_naming_both_lines() -> None:
    _, issues = parse_yaml("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert len(issues) == 1
    assert issues[0].line == 3
    assert "first on line 1" in issues[0].message


def test_a_syntax_error_gives_the_line_and_column() -> None:
    docs, issues = parse_yaml("service: a\nslos: [\n  name: x\n", "f.yaml")
    assert docs == []
    assert len(issues) == 1
    assert issues[0].line is not None
    assert "YAML syntax error" in issues[0].message


def test_several_documents_are_read_and_empty_ones_skipped() -> None:
    docs, issues = parse_yaml("---\na: 1\n---\n---\nb: 2\n", "f.yaml")
    assert issues == []
    assert len(docs) == 2
    assert docs[1].line == 5
