"""Visible signature boxes never overlap (issue 18: on A5 Form 02 the agency seal and
the leader's stamp overlapped)."""

import pytest

from motcua.documents.signing.engine import _box

A5_W, A4_W = 419.53, 595.28


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("page_w", [A5_W, A4_W])
def test_boxes_of_each_role_are_apart_and_inside_the_page(page_w):
    boxes = {role: _box(role, page_w) for role in ("agency", "leader", "receptionist")}
    roles = list(boxes)
    for i, a in enumerate(roles):
        x0, _y0, x1, _y1 = boxes[a]
        assert 0 <= x0 < x1 <= page_w
        for b in roles[i + 1 :]:
            assert not _overlap(boxes[a], boxes[b]), (page_w, a, b)


def test_a4_keeps_its_full_size_boxes():
    x0, y0, x1, y1 = _box("leader", A4_W)
    assert (x1 - x0, y1 - y0) == (220, 62)
