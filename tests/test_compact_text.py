"""Text-showing operators written compactly: same glyphs, same places, fewer bytes. Pages
rendered from compacted parts are compared pixel for pixel with WeasyPrint's own PDF in
test_assembly.py; these tests pin the rewriting rules themselves."""

from __future__ import annotations

from booklet.pdf.text_operators import compact_text


def test_a_spacing_shared_by_most_glyphs_becomes_the_character_spacing():
    content = b"BT\n/F1 12 Tf\n[<0001>-50<0002>-50<0003>-20<0004>-50<0005>] TJ\nET"
    assert compact_text(content, {b"F1"}) == (
        b"BT\n/F1 12 Tf\n0.6 Tc [(\0\1\0\2\0\3)30(\0\4\0\5)50] TJ 0 Tc\nET")


def test_one_byte_codes_and_few_glyphs_keep_their_numbers():
    content = b"/F2 10 Tf [<41>-50<42>-50<43>-50<44>-50<45>] TJ /F1 10 Tf [<0001>-50<0002>] TJ"
    assert compact_text(content, {b"F1"}) == (
        b"/F2 10 Tf [(A)-50(B)-50(C)-50(D)-50(E)] TJ /F1 10 Tf [(\0\1)-50(\0\2)] TJ")


def test_glyphs_without_adjustment_share_a_string_and_numbers_are_rounded():
    content = (b"1 0 0 -1 60.913386 89.221394 Tm /F1 9 Tf [<0087>0<0057>-52.4219<0001>] TJ\n"
               b"0.121569 0.227451 0.407843 rg 60.9 61.0004 m")
    assert compact_text(content, {b"F1"}) == (
        b"1 0 0 -1 60.913 89.221 Tm /F1 9 Tf [(\0\x87\0W)-52.42(\0\1)] TJ\n"
        b"0.122 0.227 0.408 rg 60.9 61 m")


def test_names_strings_and_marked_content_properties_are_left_alone():
    content = (b"/a0.333333 gs /Span <</MCID 3 /Alt (1.234567)>> BDC "
               b"(2.345678 [<0001>-5.55555] TJ) Tj EMC")
    assert compact_text(content, {b"F1"}) == content


def test_string_delimiters_and_carriage_returns_are_escaped():
    content = b"/F1 9 Tf [<0028>-1<0029005c000d>] TJ"
    assert compact_text(content, {b"F1"}) == b"/F1 9 Tf [(\0\\()-1(\0\\)\0\\\\\0\\r)] TJ"
    assert compact_text(compact_text(content, {b"F1"}), {b"F1"}) == compact_text(content, {b"F1"})


def test_adjustments_around_an_empty_string_add_up():
    content = b"/F1 9 Tf [<0001>-20.5<>-19<0002>] TJ"
    assert compact_text(content, {b"F1"}) == b"/F1 9 Tf [(\0\1)-39.5(\0\2)] TJ"


def test_following_text_objects_become_one_and_its_lines_move_from_the_line_before():
    content = (b"BT\n1 0 0 -1 60.913 89.221394 Tm\n/F1 9 Tf\n[<0001>] TJ\nET\n\n\n"
               b"BT\n1 0 0 -1 72.5 106.021 Tm\n/F1 9 Tf\n[<0002>] TJ\nET\n")
    assert compact_text(content, {b"F1"}) == (
        b"BT\n1 0 0 -1 60.913 89.221 Tm\n/F1 9 Tf\n[(\0\1)] TJ\n"
        b"11.587 -16.8 Td\n/F1 9 Tf\n[(\0\2)] TJ\nET\n")


def test_a_text_object_after_other_operators_starts_from_its_own_matrix():
    content = (b"BT 1 0 0 -1 10 20 Tm [<0001>] TJ ET 0.5 g "
               b"BT 1 0 0 -1 10 40 Tm [<0002>] TJ 0 1 -1 0 10 60 Tm [<0003>] TJ ET")
    assert compact_text(content, {b"F1"}) == (
        b"BT 1 0 0 -1 10 20 Tm [(\0\1)] TJ ET 0.5 g "
        b"BT 1 0 0 -1 10 40 Tm [(\0\2)] TJ 0 1 -1 0 10 60 Tm [(\0\3)] TJ ET")


def test_an_upright_line_moves_up_with_its_matrix():
    content = b"BT 1 0 0 1 10 700 Tm [<0001>] TJ 1 0 0 1 10 688 Tm [<0002>] TJ ET"
    assert compact_text(content, {b"F1"}) == (
        b"BT 1 0 0 1 10 700 Tm [(\0\1)] TJ 0 -12 Td [(\0\2)] TJ ET")


def test_the_offset_before_a_space_moves_after_it_and_joins_the_next():
    """Pango widens a justified line's spaces with an offset before each one and an
    adjustment after: a space draws nothing, so one number does; other glyphs keep theirs."""
    content = b"/F1 12 Tf [<0024>-26.75<0001>-25<0025>-3.5<0026>] TJ"
    assert compact_text(content, {b"F1"}, {b"F1": [b"0001"]}) == (
        b"/F1 12 Tf [(\0$\0\1)-51.75(\0%)-3.5(\0&)] TJ")
    assert compact_text(content, {b"F1"}) == (  # not a space: its offset stays
        b"/F1 12 Tf [(\0$)-26.75(\0\1)-25(\0%)-3.5(\0&)] TJ")
    assert compact_text(content, {b"F1"}, {b"F2": [b"0001"]}) == compact_text(content, {b"F1"})


def test_an_operator_already_written_compactly_is_left_alone():
    """`glyph_drawing` writes TJ operators compactly as it draws: literal strings, adjustments
    of two decimals, a character spacing of up to six."""
    content = b"BT\n/F1 9 Tf\n-0.123457 Tc [(\0\1)-1.5(\0])] TJ 0 Tc\n[(\0\\)\0\2)] TJ\nET"
    assert compact_text(content, {b"F1"}) == content
