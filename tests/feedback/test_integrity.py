"""Tracking codes, PINs, abuse signals and anonymisation (pure)."""

from motcua.feedback import integrity


def test_tracking_codes_are_long_random_and_normalisable():
    codes = {integrity.new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        body = code.removeprefix("PA-")
        assert len(body) >= 10
        assert set(body) <= set(integrity.CODE_ALPHABET)
        assert integrity.normalise_code(code.lower().replace("-", " ")) == code


def test_pins_are_six_digits():
    pin = integrity.new_pin()
    assert len(pin) == 6 and pin.isdigit()


def test_abuse_signals():
    links = " ".join(f"https://spam{i}.example" for i in range(5))
    assert "too_many_links" in integrity.abuse_signals("Mua ngay hàng giảm giá " + links)
    assert "duplicate_text" in integrity.abuse_signals(
        "Cán bộ tiếp nhận hẹn lại nhiều lần", recent_same_text=2
    )
    assert "repeated_characters" in integrity.abuse_signals("a" * 30 + " nội dung phản ánh")
    assert integrity.abuse_signals("Thủ tục đăng ký khai sinh yêu cầu quá nhiều giấy tờ") == []


def test_fingerprint_ignores_case_and_spacing():
    assert integrity.content_fingerprint("Cán bộ  HẸN lại") == integrity.content_fingerprint(
        "cán bộ hẹn lại "
    )


def test_anonymise_masks_personal_data():
    text = (
        "Ông Nguyễn Văn A (0905123456, a@example.com, CCCD 001090000001) đã được "
        "giải thích về thủ tục."
    )
    masked = integrity.anonymise(text, ["Nguyễn Văn A"])
    for secret in ("Nguyễn Văn A", "0905123456", "a@example.com", "001090000001"):
        assert secret not in masked
    assert "giải thích về thủ tục" in masked
