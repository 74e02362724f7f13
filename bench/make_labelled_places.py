"""Writes tests/places/labelled_places.csv from the hand-labelled cases below (issue 16).

Each case is a place as people name it, the area of the organisation receiving it, and what should happen:
`ward:<IEBC code>` (placed in that ward), `const:<code>` (the constituency is right; no source says which
ward), `county:<code>` (only the county is known), or `ask` (several places the organisation could mean:
the sender must be asked). The truth comes from the IEBC ward list (wards named after a place), the KYC
profiles' own ward column (by ward name, not code), and what residents call places, never from Sauti's
output. Every case is written in several ways (typed into a form, SMS in Kiswahili, English and Sheng).

    .venv/bin/python bench/make_labelled_places.py
"""

from __future__ import annotations

import csv
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "places" / "labelled_places.csv"

NAIROBI, KIAMBU, MOMBASA, KISUMU, NAKURU, UASIN_GISHU = "47", "22", "1", "42", "32", "27"
BOTH = "47|22"
ANY = ""  # no area: a national organisation

# (place as written, area, expected, note)
CASES: list[tuple[str, str, str, str]] = [
    # Nairobi organisation: same-name wards and settlements resolve inside Nairobi
    ("Huruma", NAIROBI, "ward:1447", "same name as Huruma, Uasin Gishu"),
    ("Mwiki", NAIROBI, "ward:1397", "same name as Mwiki, Kiambu"),
    ("Viwandani", NAIROBI, "ward:1433", "same name as Viwandani, Nakuru"),
    ("Mugumo-ini", NAIROBI, "ward:1383", "same name as Mugumo-ini, Murang'a"),
    ("Kayole North", NAIROBI, "ward:1416", ""),
    ("Kayole South", NAIROBI, "ward:1418", ""),
    ("Kawangware", NAIROBI, "ward:1372", "ward named after the settlement"),
    ("Korogocho", NAIROBI, "ward:1405", "ward named after the settlement"),
    ("Mabatini", NAIROBI, "ward:1446", ""),
    ("Kiamaiko", NAIROBI, "ward:1450", ""),
    ("Lindi", NAIROBI, "ward:1387", ""),
    ("Sarangombe", NAIROBI, "ward:1390", ""),
    ("Kwa Reuben", NAIROBI, "ward:1408", ""),
    ("Kwa Njenga", NAIROBI, "ward:1407", ""),
    ("Mukuru kwa Reuben", NAIROBI, "ward:1408", ""),
    ("Mukuru kwa Njenga", NAIROBI, "ward:1407", ""),
    ("Mlango Kubwa", NAIROBI, "ward:1449", ""),
    ("Kangemi", NAIROBI, "ward:1369", ""),
    ("Githurai", NAIROBI, "ward:1391", ""),
    ("Pumwani", NAIROBI, "ward:1434", ""),
    ("Majengo", NAIROBI, "ward:1434", "Pumwani Majengo; Majengo is also a Mombasa ward"),
    ("Kasarani", NAIROBI, "ward:1398", "also a constituency; Kasarani A/B are in Nakuru"),
    ("Mathare North", NAIROBI, "ward:1403", ""),
    ("Lucky Summer", NAIROBI, "ward:1404", ""),
    ("Baba Dogo", NAIROBI, "ward:1401", ""),
    ("Dandora Area II", NAIROBI, "ward:1413", ""),
    ("Kariobangi North", NAIROBI, "ward:1411", ""),
    ("Zimmerman", NAIROBI, "ward:1393", ""),
    ("Kahawa West", NAIROBI, "ward:1392", ""),
    ("Embakasi", NAIROBI, "ward:1423", "a ward of Embakasi East; also four constituencies Embakasi ..."),
    ("Mathare 4A", NAIROBI, "const:290", "Mathare village; no open source maps its ward"),
    ("Mathare 3C", NAIROBI, "const:290", "Mathare village"),
    ("Kibera", NAIROBI, "const:278", "spans the wards of Kibra"),
    ("Soweto East", NAIROBI, "const:278", "Kibera village"),
    ("Gatwekera", NAIROBI, "const:278", "Kibera village"),
    ("Shauri Moyo", NAIROBI, "const:288", "also a Kisumu settlement"),
    ("Eastleigh", NAIROBI, "const:288", "Eastleigh North/South; also a Nakuru settlement"),
    ("Kianda", NAIROBI, "ward:1390", "KYC: Sarangombe"),
    ("Kambi Muru", NAIROBI, "ward:1387", "KYC: Lindi"),
    ("Kiambiu", NAIROBI, "ward:1429", "KYC: Kariobangi South"),
    ("Mahiira", NAIROBI, "ward:1450", "KYC: Kiamaiko"),
    ("Jangwani", NAIROBI, "ward:1450", "KYC: Kiamaiko"),
    ("Kibagare", NAIROBI, "ward:1366", "KYC: Kitisuru"),
    ("Kuwinda", NAIROBI, "ward:1381", "KYC: Karen"),
    ("Lunga Lunga", NAIROBI, "ward:1408", "KYC: Kwa Reuben"),
    ("Katanga", NAIROBI, "ward:1434", "KYC: Pumwani"),
    ("Mariguini", NAIROBI, "ward:1444", "KYC: Nairobi South"),
    ("Kisumu Ndogo", NAIROBI, "ask", "a village of Kibera and one of Korogocho"),
    ("Bondeni", NAIROBI, "ask", "Mathare's Bondeni and Njiru's (KYC)"),
    ("Milimani", NAIROBI, "ask", "two Mukuru villages (KYC: Kware, Kwa Reuben)"),
    ("Hospital ward", NAIROBI, "ward:1445", "also wards of Kiambu and Trans Nzoia"),
    # Kiambu organisation
    ("Mwiki", KIAMBU, "ward:575", ""),
    ("Hospital ward", KIAMBU, "ward:566", ""),
    ("Biashara ward", KIAMBU, "ward:570", "also two Nakuru wards"),
    ("Township ward", KIAMBU, "ask", "Thika Town and Kiambu constituencies each have one"),
    ("Githunguri", KIAMBU, "ward:577", "ward and constituency"),
    ("Ndenderu", KIAMBU, "ward:588", ""),
    ("Juja", KIAMBU, "ward:561", "ward and constituency"),
    ("Kahawa Wendani", KIAMBU, "ward:573", ""),
    ("Kahawa Sukari", KIAMBU, "ward:572", ""),
    ("Kinoo", KIAMBU, "ward:600", ""),
    ("Karuri", KIAMBU, "ward:587", ""),
    ("Witeithie", KIAMBU, "ward:562", ""),
    ("Kalimoni", KIAMBU, "ward:563", ""),
    ("Ngoliba", KIAMBU, "ward:568", ""),
    ("Huruma", KIAMBU, "ask", "both Hurumas are outside Kiambu"),
    ("Viwandani", KIAMBU, "ask", "Nairobi's and Naivasha's, both outside"),
    ("Mugumo-ini", KIAMBU, "ask", "Nairobi's and Murang'a's, both outside"),
    ("Majengo", KIAMBU, "ask", "Mombasa's ward and Nairobi's village, both outside"),
    ("Kayole North", KIAMBU, "ward:1416", "only one anywhere: placed outside the area"),
    # Mombasa organisation
    ("Majengo", MOMBASA, "ward:30", ""),
    ("Mkomani", MOMBASA, "ward:18", "also a Lamu ward"),
    ("Likoni", MOMBASA, "ward:24", ""),
    ("Chaani", MOMBASA, "ward:5", ""),
    ("Tononoka", MOMBASA, "ward:28", ""),
    ("Bamburi", MOMBASA, "ward:11", ""),
    ("Kongowea", MOMBASA, "ward:19", ""),
    ("Frere Town", MOMBASA, "ward:16", ""),
    ("Ziwa la Ng'ombe", MOMBASA, "ward:17", ""),
    ("Mtongwe", MOMBASA, "ward:21", ""),
    ("Bofu", MOMBASA, "ward:23", ""),
    ("Timbwani", MOMBASA, "ward:25", ""),
    ("Kipevu", MOMBASA, "ward:2", ""),
    ("Port Reitz", MOMBASA, "ward:1", ""),
    ("Miritini", MOMBASA, "ward:7", ""),
    ("Mikindani", MOMBASA, "ward:8", ""),
    ("Shanzu", MOMBASA, "ward:15", ""),
    ("Kisumu Ndogo", MOMBASA, "county:1", "KISIP settlement, no ward in any source"),
    ("Shella", MOMBASA, "ask", "wards of Kilifi and Lamu, both outside"),
    ("Kaloleni", MOMBASA, "ask", "wards of Kilifi and Taita-Taveta, a Kisumu estate"),
    # Kisumu organisation
    ("Kondele", KISUMU, "ward:1200", ""),
    ("Nyalenda B", KISUMU, "ward:1201", ""),
    ("Manyatta B", KISUMU, "ward:1188", ""),
    ("Migosi", KISUMU, "ward:1197", ""),
    ("Railways", KISUMU, "ward:1196", ""),
    ("Kajulu", KISUMU, "ward:1186", ""),
    ("Kolwa East", KISUMU, "ward:1187", ""),
    ("Market Milimani", KISUMU, "ward:1199", ""),
    ("Ahero", KISUMU, "ward:1208", ""),
    ("Kaloleni", KISUMU, "ward:1198", "Kisumu's Kaloleni estate, in Shaurimoyo Kaloleni"),
    ("Shauri Moyo", KISUMU, "ward:1198", "Kisumu's Shauri Moyo, in Shaurimoyo Kaloleni"),
    ("Dunga", KISUMU, "ward:1201", "KYC: Nyalenda B"),
    ("Mamboleo", KISUMU, "ward:1186", "KYC: Kajulu"),
    ("Kibos", KISUMU, "ward:1190", "KYC Kibos market/Nubian: Kolwa Central"),
    ("Huruma", KISUMU, "ask", ""),
    ("Central Sakwa", KISUMU, "ask", "Siaya's and Migori's, both outside"),
    # Nakuru organisation
    ("Biashara ward", NAKURU, "ask", "Naivasha's and Nakuru Town East's, both inside"),
    ("Viwandani", NAKURU, "ward:843", ""),
    ("Kapkures", NAKURU, "ward:873", "also an Uasin Gishu ward"),
    ("Soin", NAKURU, "ward:861", "also a Kericho ward"),
    ("Kaptembwo", NAKURU, "ward:872", ""),
    ("Kivumbini", NAKURU, "ward:877", ""),
    ("Flamingo", NAKURU, "ward:878", ""),
    ("Lanet", NAKURU, "ward:868", "Lanet/Umoja"),
    ("Menengai", NAKURU, "ward:879", ""),
    ("Mwiki", NAKURU, "ask", ""),
    ("Eastleigh", NAKURU, "county:32", "KISIP settlement, no ward in any source"),
    # Uasin Gishu organisation
    ("Huruma", UASIN_GISHU, "ward:713", ""),
    ("Kapkures", UASIN_GISHU, "ward:702", ""),
    ("Kapsaos", UASIN_GISHU, "ward:712", "also a Kericho ward"),
    ("Langas", UASIN_GISHU, "ward:726", ""),
    ("Kapsoya", UASIN_GISHU, "ward:719", ""),
    ("Kimumu", UASIN_GISHU, "ward:718", ""),
    ("Hospital ward", UASIN_GISHU, "ask", "Nairobi's, Kiambu's and Trans Nzoia's, all outside"),
    # An organisation working in Nairobi and Kiambu
    ("Mwiki", BOTH, "ask", "one in each of its counties"),
    ("Hospital ward", BOTH, "ask", "one in each of its counties"),
    ("Huruma", BOTH, "ward:1447", ""),
    ("Viwandani", BOTH, "ward:1433", ""),
    ("Township ward", BOTH, "ask", "two in Kiambu"),
    # A national organisation (no area)
    ("Huruma", ANY, "ask", ""),
    ("Mwiki", ANY, "ask", ""),
    ("Majengo", ANY, "ask", ""),
    ("Kayole North", ANY, "ward:1416", ""),
    ("Likoni", ANY, "ward:24", ""),
    ("Kondele", ANY, "ward:1200", ""),
    ("Kawangware", ANY, "ward:1372", ""),
    ("Mkomani", ANY, "ask", "Mombasa's and Lamu's"),
]

# How people write a place: typed into a form, or inside an SMS (Kiswahili, English, Sheng).
TYPED = ["{p}", "{lower}"]
SMS = [
    ("sw", "Maji yamekatwa huko {p} tangu jana, watu wengi hawana maji"),
    ("sw", "Nyumba zimebomolewa {p} leo asubuhi na kanjo"),
    ("en", "No water in {p} since Monday, please help"),
    ("en", "Sewage is flowing on the road at {p} near the school"),
    ("sheng", "Mtaa ya {p} hakuna stima na maji manze, tunaumia"),
    ("sheng", "Kanjo wamebomoa vibanda pale {p} bila notice buda"),
]


def rows() -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for n, (place, area, expect, note) in enumerate(CASES):
        # Every case typed both ways, and in two of the six messages (rotating), so each case has four rows.
        forms = [("typed", "", t.format(p=place, lower=place.lower())) for t in TYPED]
        for k in (n % len(SMS), (n + 3) % len(SMS)):
            language, template = SMS[k]
            forms.append(("sms", language, template.format(p=place)))
        for mode, language, text in forms:
            if (text, area) in seen:
                continue
            seen.add((text, area))
            out.append(
                {
                    "text": text,
                    "mode": mode,
                    "language": language,
                    "area": area,
                    "expect": expect,
                    "note": note,
                }
            )
    return out


def main() -> None:
    data = rows()
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["text", "mode", "language", "area", "expect", "note"])
        writer.writeheader()
        writer.writerows(data)
    print(f"{len(data)} place mentions ({len(CASES)} cases) written to {OUT}")


if __name__ == "__main__":
    main()
