"""The daftar hadir PDF's render time for 30 and for 300 people (and its size and page count).

    python -m benchmarks.attendance_list [--runs 7]

Renders `handlers.attendance_list.attendance_pdf` in this process (as the file worker does, fonts
loaded afresh for every document, so each one embeds only the glyphs it uses), from sheets of people
with long institutions, half of them checked in, some names outside Latin-1. Prints the median and
the slowest run; the first render (which imports fpdf2 and reads the fonts' files) is shown apart.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from handlers.attendance_list import AttendanceSheet, SheetRow, attendance_pdf

NAMES = ("Siti Rahma", "Ā. Nguyễn Thị Hương", "Ağça Şahin", "Ольга Петрова", "I Gusti Ngurah Rai", "Łukasz Wróbel")


def sheet(people: int) -> AttendanceSheet:
    rows = tuple(
        SheetRow(
            f"{NAMES[n % len(NAMES)]} {n}",
            "Dinas Perpustakaan dan Kearsipan Kabupaten Bengkulu Selatan" if n % 3 else "Bappeda Provinsi",
            "Kepala Bidang Pengembangan Perpustakaan",
            f"09.{n % 60:02d}" if n % 2 else None,
        )
        for n in range(people)
    )
    return AttendanceSheet(
        title="DAFTAR HADIR",
        program="Stakeholder Meeting Provinsi TPBIS 2023",
        facts=(
            ("Pertemuan", "Bengkulu"),
            ("Hari, tanggal", "Rabu, 26 Juli 2023 pukul 09.00 WIB"),
            ("Tempat", "Hotel Mercure Bengkulu, Bengkulu"),
        ),
        columns=("No", "Nama", "Instansi", "Jabatan", "Tanda Tangan"),
        rows=rows,
        checked_in_line="Hadir {time}",
        page_line="Halaman {page} dari {pages}",
        footer_title="DAFTAR HADIR · Bengkulu",
        place_date="Bengkulu, 26 Juli 2023",
        committee_title="Ketua Panitia",
        committee_name="Dr. Adin Bondar, M.Si.",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    attendance_pdf(sheet(1))
    print(f"first render (imports fpdf2, reads the fonts): {(time.perf_counter() - started) * 1000:.0f} ms")
    for people in (30, 300):
        times, data = [], b""
        for _ in range(args.runs):
            started = time.perf_counter()
            data = attendance_pdf(sheet(people))
            times.append(time.perf_counter() - started)
        pages = _pages(data)
        print(
            f"{people} people: median {statistics.median(times) * 1000:.0f} ms, slowest {max(times) * 1000:.0f} ms,"
            f" {len(data) / 1024:.0f} KB, {pages} pages"
        )


def _pages(data: bytes) -> int | str:
    try:
        import pypdf
    except ImportError:
        return "?"
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


if __name__ == "__main__":
    main()
