"""Upload safety checks on bytes (no ORM): size and type limits, PDF structure
(encrypted / malformed / active content) and image decompression-bomb limits.

Each failure raises `UploadRejected` with a message a citizen can act on."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from motcua.documents.sniffing import sniff

DEFAULT_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/tiff")
TYPE_LABELS = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/tiff": "TIFF",
}
# 50 megapixels covers an A3 scan at 600 dpi; beyond that an image is treated as a
# decompression bomb (a tiny file that expands to gigabytes of pixels).
MAX_IMAGE_PIXELS = 50_000_000
MAX_IMAGE_FRAMES = 200
MAX_PDF_PAGES = 500

# Names that make a PDF run or fetch something when opened (ISO 32000-1 §12.6 actions,
# §7.11.4 embedded files, XFA forms, multimedia).
ACTIVE_KEYS = frozenset({"/JavaScript", "/JS", "/AA", "/Launch", "/XFA", "/RichMedia"})
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMediaExecute", "/GoToE"}
)


class UploadRejected(ValueError):
    """The upload is refused; `message` is shown to the user as is."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class UploadPolicy:
    """Limits for one dossier component (catalog Component.accepted_types and
    max_size_mb) or the site default."""

    allowed_types: tuple[str, ...] = DEFAULT_TYPES
    max_bytes: int = 20 * 1024 * 1024
    max_pdf_pages: int = MAX_PDF_PAGES
    max_image_pixels: int = MAX_IMAGE_PIXELS

    @classmethod
    def for_component(cls, component: object) -> UploadPolicy:
        types = tuple(getattr(component, "accepted_types", None) or DEFAULT_TYPES)
        max_mb = int(getattr(component, "max_size_mb", 0) or 20)
        return cls(allowed_types=types, max_bytes=max_mb * 1024 * 1024)


@dataclass
class Inspection:
    mime_type: str
    page_count: int | None = None
    notes: list[str] = field(default_factory=list)


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, n // 1024)} KB"


def _types_label(types: Iterable[str]) -> str:
    return ", ".join(TYPE_LABELS.get(t, t) for t in types)


def inspect_upload(data: bytes, policy: UploadPolicy, claimed_name: str = "") -> Inspection:
    if not data:
        raise UploadRejected(_("Tệp rỗng, vui lòng chọn lại tệp."), "empty")
    if len(data) > policy.max_bytes:
        raise UploadRejected(
            _("Tệp dung lượng %(size)s vượt quá giới hạn %(limit)s cho giấy tờ này.")
            % {"size": human_size(len(data)), "limit": human_size(policy.max_bytes)},
            "too_large",
        )
    mime = sniff(data)
    if mime not in policy.allowed_types:
        raise UploadRejected(
            _(
                "Nội dung tệp “%(name)s” không phải định dạng được chấp nhận (%(types)s); "
                "hệ thống kiểm tra nội dung thật của tệp, không dựa vào tên tệp."
            )
            % {"name": claimed_name or "?", "types": _types_label(policy.allowed_types)},
            "bad_type",
        )
    if mime == "application/pdf":
        return Inspection(mime, page_count=check_pdf(data, max_pages=policy.max_pdf_pages))
    if mime.startswith("image/"):
        check_image(data, max_pixels=policy.max_image_pixels)
        return Inspection(mime, page_count=1)
    return Inspection(mime)


def check_pdf(data: bytes, *, max_pages: int = MAX_PDF_PAGES) -> int:
    """Return the page count of a safe PDF or raise UploadRejected."""
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise UploadRejected(
            _("Tệp PDF được đặt mật khẩu; vui lòng gỡ mật khẩu rồi tải lại."), "encrypted"
        ) from exc
    except pikepdf.PdfError as exc:
        raise UploadRejected(
            _("Tệp PDF bị hỏng hoặc không đúng cấu trúc; vui lòng xuất lại tệp rồi tải lên."),
            "malformed",
        ) from exc
    with pdf:
        if pdf.is_encrypted:
            raise UploadRejected(
                _("Tệp PDF bị mã hóa (hạn chế quyền); vui lòng lưu bản không mã hóa rồi tải lại."),
                "encrypted",
            )
        problems = [p for p in pdf.check_pdf_syntax() if "error" in p.lower()]
        try:
            pages = len(pdf.pages)
        except pikepdf.PdfError:
            pages = 0
        if problems or pages == 0:
            raise UploadRejected(
                _("Tệp PDF bị hỏng hoặc không đúng cấu trúc; vui lòng xuất lại tệp rồi tải lên."),
                "malformed",
            )
        if pages > max_pages:
            raise UploadRejected(
                _("Tệp PDF có %(n)s trang, vượt quá giới hạn %(max)s trang.")
                % {"n": pages, "max": max_pages},
                "too_many_pages",
            )
        if _has_active_content(pdf):
            raise UploadRejected(
                _(
                    "Tệp PDF chứa nội dung tự thực thi (JavaScript, tệp đính kèm, liên kết "
                    "chạy chương trình hoặc biểu mẫu XFA) nên không được chấp nhận; vui lòng "
                    "in ra PDF hoặc quét lại."
                ),
                "active_content",
            )
        return pages


def _has_active_content(pdf) -> bool:  # type: ignore[no-untyped-def]
    import pikepdf

    names = pdf.Root.get("/Names")
    if names is not None and ("/JavaScript" in names or "/EmbeddedFiles" in names):
        return True

    def active(obj, depth: int) -> bool:  # type: ignore[no-untyped-def]
        # Direct (nested) objects are walked here; indirect ones are visited once each
        # from pdf.objects below.
        if depth > 32:
            return False
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            if set(obj.keys()) & ACTIVE_KEYS:
                return True
            action_type = obj.get("/S")
            if action_type is not None and str(action_type) in ACTIVE_ACTIONS:
                return True
            if obj.get("/Type") == pikepdf.Name.EmbeddedFile:
                return True
            children = list(obj.values())
        elif isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            return False
        return any(
            active(child, depth + 1)
            for child in children
            if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect
        )

    return any(active(obj, 0) for obj in pdf.objects)


def check_image(data: bytes, *, max_pixels: int = MAX_IMAGE_PIXELS) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Our own limit below is stricter than Pillow's warning threshold.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        with image:
            # The header gives the size before any pixel is decoded.
            width, height = image.size
            frames = getattr(image, "n_frames", 1)
            if width * height > max_pixels or frames > MAX_IMAGE_FRAMES:
                raise UploadRejected(
                    _(
                        "Ảnh có kích thước %(w)s×%(h)s điểm ảnh, vượt quá giới hạn cho phép; "
                        "vui lòng quét lại ở độ phân giải 300 dpi."
                    )
                    % {"w": width, "h": height},
                    "image_too_big",
                )
            image.verify()
    except UploadRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UploadRejected(
            _("Tệp ảnh bị hỏng hoặc không đọc được; vui lòng chụp hoặc quét lại."), "bad_image"
        ) from exc
    except Image.DecompressionBombError as exc:
        raise UploadRejected(_("Ảnh vượt quá giới hạn kích thước."), "image_too_big") from exc
