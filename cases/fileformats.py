"""Reading an uploaded file completely as the type it claims, with the well-kept parsers (Pillow, pypdf,
zipfile and openpyxl), and finding where that format ends: a file that carries anything after its end
(an archive appended to a PNG, a second document after a PDF's last %%EOF) is a polyglot and is refused.

Each `check_<kind>(content)` returns nothing or raises FormatProblem with a reason in plain words; the
reason is shown after the file's name by cases.uploads.upload_check.
"""

import io
import struct
import warnings
import zipfile

from django.utils.translation import gettext_lazy as _

# An image larger than this many pixels is refused before it is decoded (a small file can claim a huge
# canvas and take the memory of the whole server). 50 megapixels is far beyond any phone photo or scan.
MAX_IMAGE_PIXELS = 50_000_000
# An office file (zip) may not expand beyond this when all its parts are read.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
PDF_TRAILING_WHITESPACE = b" \t\r\n\x00\x0c"


class FormatProblem(Exception):
    """Why the content is not a complete file of the claimed type (a plain-words message)."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


APPENDED = _("文件结尾之后还附带了其他数据（可能是被合并或篡改的文件，例如图片后面接了压缩包）")


# ---- images -----------------------------------------------------------------------------------


def _decode_image(content: bytes, expected_format: str) -> None:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                if probe.format != expected_format:
                    raise FormatProblem(_("文件内容不是声称的图片格式"))
                width, height = probe.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise FormatProblem(_("图片尺寸过大（超过5000万像素），请缩小后再上传"))
                probe.verify()  # checksums of every chunk (PNG) and the structure
            with Image.open(io.BytesIO(content)) as image:
                image.load()  # decodes every pixel: a truncated or corrupt image fails here
    except FormatProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FormatProblem(_("图片尺寸过大（超过5000万像素），请缩小后再上传")) from None
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError, struct.error… for broken images
        raise FormatProblem(_("图片已损坏或不完整，无法打开")) from None


def png_end(content: bytes) -> int:
    """Offset just past the IEND chunk, walking the chunks by their lengths."""
    position = 8
    while position + 12 <= len(content):
        (length,) = struct.unpack(">I", content[position : position + 4])
        kind = content[position + 4 : position + 8]
        position += 12 + length
        if kind == b"IEND":
            return position
    raise FormatProblem(_("图片已损坏或不完整，无法打开"))


def check_png(content: bytes) -> None:
    if not content.startswith(b"\x89PNG\r\n\x1a\n"):
        raise FormatProblem(_("文件内容不是 PNG 图片"))
    if png_end(content) != len(content):
        raise FormatProblem(APPENDED)
    _decode_image(content, "PNG")


# JPEG markers that stand alone (no length field): TEM and the restart markers RST0–RST7.
_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def jpeg_end(content: bytes) -> int:
    """Offset just past the EOI marker that ends the image: the segments are walked by their lengths and
    the entropy-coded data after each SOS is skipped, so that a thumbnail's own EOI inside EXIF or a
    0xFFD9 in the compressed data is not taken for the end."""
    if not content.startswith(b"\xff\xd8"):
        raise FormatProblem(_("文件内容不是 JPG 图片"))
    position, size = 2, len(content)
    while position < size:
        if content[position] != 0xFF:
            raise FormatProblem(_("图片已损坏或不完整，无法打开"))
        while position < size and content[position] == 0xFF:  # fill bytes
            position += 1
        if position >= size:
            break
        marker = content[position]
        position += 1
        if marker == 0xD9:
            return position
        if marker in _STANDALONE:
            continue
        if position + 2 > size:
            break
        (length,) = struct.unpack(">H", content[position : position + 2])
        position += length
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next real marker
            while position + 1 < size:
                if content[position] == 0xFF and content[position + 1] not in (0x00, *range(0xD0, 0xD8), 0xFF):
                    break
                position += 1
    raise FormatProblem(_("图片已损坏或不完整，无法打开"))


def check_jpg(content: bytes) -> None:
    if jpeg_end(content) != len(content):
        raise FormatProblem(APPENDED)
    _decode_image(content, "JPEG")


# ---- PDF --------------------------------------------------------------------------------------


def check_pdf(content: bytes) -> None:
    if not content.startswith(b"%PDF-"):
        raise FormatProblem(_("文件内容不是 PDF 文档"))
    # An incrementally updated PDF has several %%EOF; the last one must end the file.
    if not content.rstrip(PDF_TRAILING_WHITESPACE).endswith(b"%%EOF"):
        raise FormatProblem(APPENDED)
    from pypdf import PdfReader

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted:
                raise FormatProblem(_("PDF 设置了密码或加密，审核人员无法打开，请去掉密码后再上传"))
            pages = len(reader.pages)
            for page in reader.pages:
                page.mediabox  # noqa: B018 - every page object must resolve
    except FormatProblem:
        raise
    except Exception:  # pypdf raises PdfReadError, ValueError, KeyError… for broken files
        raise FormatProblem(_("PDF 已损坏或不完整，无法打开")) from None
    if pages == 0:
        raise FormatProblem(_("PDF 中没有任何页面"))


# ---- office files (zip) -----------------------------------------------------------------------


def zip_end(content: bytes) -> int:
    """Offset just past the end-of-central-directory record (and its comment)."""
    position = content.rfind(b"PK\x05\x06")
    if position < 0 or position + 22 > len(content):
        raise FormatProblem(_("文件已损坏或不完整，无法打开"))
    (comment_length,) = struct.unpack("<H", content[position + 20 : position + 22])
    return position + 22 + comment_length


def _open_zip(content: bytes, required: tuple[str, ...], broken) -> zipfile.ZipFile:
    if not content.startswith(b"PK\x03\x04"):
        raise FormatProblem(broken)
    if zip_end(content) != len(content):
        raise FormatProblem(APPENDED)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
        if sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES:
            raise FormatProblem(_("文件解压后过大，请拆分后再上传"))
        names = {member.filename for member in members}
        if any(name not in names for name in required):
            raise FormatProblem(broken)
        if archive.testzip() is not None:  # reads every part and checks its CRC
            raise FormatProblem(broken)
    except FormatProblem:
        raise
    except Exception:
        raise FormatProblem(broken) from None
    return archive


def check_xlsx(content: bytes) -> None:
    broken = _("不是有效的 Excel（.xlsx）文件，或文件已损坏")
    _open_zip(content, ("[Content_Types].xml", "xl/workbook.xml"), broken)
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            if not book.worksheets:
                raise FormatProblem(broken)
            book.close()
    except FormatProblem:
        raise
    except Exception:
        raise FormatProblem(broken) from None


def check_docx(content: bytes) -> None:
    _open_zip(content, ("[Content_Types].xml", "word/document.xml"), _("不是有效的 Word（.docx）文件，或文件已损坏"))


# ---- text tables ------------------------------------------------------------------------------


def check_csv(content: bytes) -> None:
    if b"\x00" in content:
        raise FormatProblem(_("不是文本格式的 CSV 文件（含有二进制内容）"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content.decode(encoding)
            return
        except UnicodeDecodeError:
            continue
    raise FormatProblem(_("CSV 文件的文字编码无法识别，请另存为“CSV UTF-8”"))


CHECKS = {
    "pdf": check_pdf,
    "jpg": check_jpg,
    "png": check_png,
    "xlsx": check_xlsx,
    "docx": check_docx,
    "csv": check_csv,
}
