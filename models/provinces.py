"""Indonesia's 38 provinces with their Kemendagri codes and IANA time zones."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

# Indonesia's three civil time zones, by the abbreviation people read on an invitation.
ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


@dataclass(frozen=True)
class Province:
    """One province: its Kemendagri code, its name and the zone its meetings are held in."""

    code: str
    name: str
    tz_name: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)

    @property
    def zone_abbreviation(self) -> str:
        return ZONE_ABBREVIATIONS[self.tz_name]


_WIB, _PTK, _WITA, _WIT = "Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"

PROVINCES: dict[str, Province] = {
    p.code: p
    for p in (
        Province("11", "Aceh", _WIB),
        Province("12", "Sumatera Utara", _WIB),
        Province("13", "Sumatera Barat", _WIB),
        Province("14", "Riau", _WIB),
        Province("15", "Jambi", _WIB),
        Province("16", "Sumatera Selatan", _WIB),
        Province("17", "Bengkulu", _WIB),
        Province("18", "Lampung", _WIB),
        Province("19", "Kepulauan Bangka Belitung", _WIB),
        Province("21", "Kepulauan Riau", _WIB),
        Province("31", "DKI Jakarta", _WIB),
        Province("32", "Jawa Barat", _WIB),
        Province("33", "Jawa Tengah", _WIB),
        Province("34", "DI Yogyakarta", _WIB),
        Province("35", "Jawa Timur", _WIB),
        Province("36", "Banten", _WIB),
        Province("51", "Bali", _WITA),
        Province("52", "Nusa Tenggara Barat", _WITA),
        Province("53", "Nusa Tenggara Timur", _WITA),
        Province("61", "Kalimantan Barat", _PTK),
        Province("62", "Kalimantan Tengah", _PTK),
        Province("63", "Kalimantan Selatan", _WITA),
        Province("64", "Kalimantan Timur", _WITA),
        Province("65", "Kalimantan Utara", _WITA),
        Province("71", "Sulawesi Utara", _WITA),
        Province("72", "Sulawesi Tengah", _WITA),
        Province("73", "Sulawesi Selatan", _WITA),
        Province("74", "Sulawesi Tenggara", _WITA),
        Province("75", "Gorontalo", _WITA),
        Province("76", "Sulawesi Barat", _WITA),
        Province("81", "Maluku", _WIT),
        Province("82", "Maluku Utara", _WIT),
        Province("91", "Papua", _WIT),
        Province("92", "Papua Barat", _WIT),
        Province("93", "Papua Selatan", _WIT),
        Province("94", "Papua Tengah", _WIT),
        Province("95", "Papua Pegunungan", _WIT),
        Province("96", "Papua Barat Daya", _WIT),
    )
}
