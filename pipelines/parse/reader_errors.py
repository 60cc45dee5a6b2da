"""The exception classes with which the reading libraries say "these bytes are not a readable
file": what ``crash_type`` types as ``corrupt_<medium>``.

Typed by class, never by where the exception was raised: a TypeError, KeyError, IndexError or
AttributeError raised inside pdfplumber or lxml because *we* passed it something wrong is a bug
of ours (``parser_crash``), not a bad file. Only the classes a library defines for its input (and
the standard ones that mean only "the data ended or is malformed") are listed here.
"""

from __future__ import annotations

import zipfile
import zlib

import docx.exceptions
import docx.image.exceptions
import docx.opc.exceptions
import docx.oxml.exceptions
import pypdfium2
from lxml import etree
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException
from PIL import Image, UnidentifiedImageError
from selectolax.lexbor import SelectolaxError

# pdfminer's own hierarchy (PSException covers PDFException, PDFSyntaxError, PSEOF, PDFTypeError,
# PDFKeyError, PDFValueError, PDFNoValidXRef, CorruptDataError, PDFEncryptionError, …), pdfplumber's
# wrappers of it, PDFium's
PDF_ERRORS: tuple[type[BaseException], ...] = (PSException, PdfminerException, MalformedPDFException,
                                               pypdfium2.PdfiumError)
# python-docx's (OPC package, XML and embedded-image errors), lxml's parse errors, the ZIP container's
WORD_ERRORS: tuple[type[BaseException], ...] = (
    docx.opc.exceptions.OpcError, docx.exceptions.PythonDocxError, docx.oxml.exceptions.XmlchemyError,
    docx.image.exceptions.InvalidImageStreamError, docx.image.exceptions.UnexpectedEndOfFileError,
    docx.image.exceptions.UnrecognizedImageError,
    etree.ParseError,  # XMLSyntaxError and lxml's other parse errors (not XPath/XSLT errors: those are ours)
    etree.ParserError, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error,
)
# Pillow's "not an image", selectolax's, and EOFError: zipfile and the decompressors raise the
# builtin when compressed data stops short (no code of ours raises it)
DATA_ERRORS: tuple[type[BaseException], ...] = (UnidentifiedImageError, SelectolaxError, EOFError)

READER_ERRORS = PDF_ERRORS + WORD_ERRORS + DATA_ERRORS

# Too big to read, whichever library noticed
SIZE_ERRORS: tuple[type[BaseException], ...] = (MemoryError, Image.DecompressionBombError)

# The OCR engine's errors, named rather than imported: onnxruntime is loaded only when a scan is
# read (importing it here would cost every process that never OCRs). RapidOCR raises these for an
# image it cannot load or scale, onnxruntime for a tensor it cannot run (a picture of degenerate size).
OCR_ERRORS = {
    ("rapidocr_onnxruntime.utils.load_image", "LoadImageError"),
    ("rapidocr_onnxruntime.utils.process_img", "ResizeImgError"),
    ("rapidocr_onnxruntime.ch_ppocr_det.utils", "ResizeImgError"),
    ("onnxruntime.capi.onnxruntime_pybind11_state", "Fail"),
    ("onnxruntime.capi.onnxruntime_pybind11_state", "InvalidArgument"),
    ("onnxruntime.capi.onnxruntime_pybind11_state", "RuntimeException"),
}


def is_reader_error(err: BaseException) -> bool:
    """Whether a reading library raised ``err`` to say its input is malformed."""
    if isinstance(err, READER_ERRORS):
        return True
    return any((cls.__module__, cls.__qualname__) in OCR_ERRORS for cls in type(err).__mro__)
