"""Certificates for units with long Vietnamese names (X.509 limits count UTF-8 bytes)."""

from motcua.documents.pki import fit_name


def test_long_vietnamese_unit_name_fits_64_bytes_without_breaking_letters():
    name = "Ban Quản lý các Khu kinh tế và Khu công nghiệp tỉnh Quảng Nam — Phòng Đăng ký"
    fitted = fit_name(name)
    assert len(fitted.encode("utf-8")) <= 64
    assert name.startswith(fitted)
    assert fit_name("Sở Tư pháp") == "Sở Tư pháp"
