from motcua.catalog.selectors import SearchFilters, search_procedures


def names(**kwargs):
    return [hit.version.name for hit in search_procedures(SearchFilters(**kwargs))]


def test_accent_insensitive_search_finds_birth_registration_first(demo_catalog):
    for query in ("dang ky khai sinh", "khai sinh", "Đăng ký khai sinh", "KHAI SINH", "1.001193"):
        assert names(query=query)[0] == "Đăng ký khai sinh", query


def test_typo_tolerant_search(demo_catalog):
    hits = search_procedures(SearchFilters(query="khai sihn"))
    assert hits and hits[0].version.name == "Đăng ký khai sinh"
    assert hits[0].fuzzy
    assert names(query="giay phep xay dugn")[0].startswith("Cấp giấy phép xây dựng")
    assert names(query="qwertyuiop") == []


def test_filters(demo_catalog):
    judicial = names(field="HOTICH")
    assert "Đăng ký khai sinh" in judicial and "Đăng ký thường trú" not in judicial
    province = names(level="province")
    assert province and all("khai sinh" not in n for n in province)
    police = names(unit="000.00.19.H47")
    assert any("lý lịch tư pháp" in n for n in police) and "Đăng ký khai sinh" not in police
    none_online = names(online_mode="none")
    assert any("Chứng thực chữ ký" in n for n in none_online)
    assert "Đăng ký khai sinh" not in none_online
    assert names(query="khai sinh", online_mode="full") == ["Đăng ký khai sinh"]
