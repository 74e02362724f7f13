"""A labelled set of report texts for measuring redaction (issue 14): English, Kiswahili and Sheng, as people
write them by SMS, on the web form and to field monitors.

Written by hand as templates; each template with identities is filled three times (a different person and
a different way of writing the number each time), deterministically, so every identity's position is known.
Placeholders: {P} a phone number; {C} a contact of the organisation, full name; {C1} their first name only;
{C2} their surname only; {c} their full name in lower case; {S} a name the writer gives that is NOT a
contact (self-introduction, "Mama …"); {R} the reporter's own name (given to the redactor, as the case page
does). Near-miss templates hold no identity at all: amounts, dates, times, report references, ward codes,
ID-like numbers, till numbers, places named after people, names that are everyday words.

`corpus()` returns [(text, [(start, end, kind)], reporter_name, held_out)]; `CONTACTS` are the organisation's
contacts. Held out: texts from the *_LATER lists and the near-misses after the marker, written after the
rules were tuned and never tuned on.
"""

from __future__ import annotations

import re
from collections.abc import Callable

CONTACTS = [
    "Njeri Wambui", "Achieng Kibet", "Grace Nduta", "Omar Said", "Baraka Omondi", "Mwanaisha Hamisi",
    "Peter Kiprotich", "Lucy Chebet", "Kevin Ouma", "Halima Abdi", "Joyce Moraa", "Daniel Wekesa",
]  # fmt: skip
OTHERS = ["Akinyi Odhiambo", "Wanjiru Kamau", "Mercy Atieno", "Juma Hassan", "Faith Naliaka", "Brian Kiptoo",
          "Zipporah Wairimu", "Hassan Mohamed", "Nekesa Wafula"]  # fmt: skip
REPORTERS = ["Esther Muthoni", "Amina Yusuf", "Collins Otieno"]

PHONE_FORMS: list[Callable[[str], str]] = [
    lambda d: f"0{d[:3]} {d[3:6]} {d[6:]}",  # 0712 345 678
    lambda d: f"0{d}",  # 0712345678
    lambda d: f"+254 {d[:3]} {d[3:6]} {d[6:]}",  # +254 712 345 678
    lambda d: f"254{d}",  # 254712345678
    lambda d: f"0{d[0]} {d[1:3]} {d[3:5]} {d[5:7]} {d[7:]}",  # 07 12 34 56 78
    lambda d: f"(0{d[:3]}) {d[3:]}",  # (0712) 345678
    lambda d: f"0{d[:3]}-{d[3:6]}-{d[6:]}",  # 0712-345-678
    lambda d: "".join(chr(0xFF10 + int(x)) for x in "0" + d),  # full-width digits
    lambda d: "+254" + d,  # +254712345678
    lambda d: f"0{d[:3]}.{d[3:6]}.{d[6:]}",  # 0712.345.678
    lambda d: " ".join("0" + d),  # 0 7 1 2 3 4 5 6 7 8
    lambda d: f"{d[:3]} {d[3:6]} {d[6:]}",  # 712 345 678
    lambda d: f"+254-{d[:3]}-{d[3:]}",  # +254-712-345678
    lambda d: f"O{d[:3]} {d[3:6]} {d[6:]}",  # O712 345 678 (a letter O)
    lambda d: f"00254 {d}",  # 00254 712345678
    lambda d: " ".join(["sifuri"] + [["sifuri", "moja", "mbili", "tatu", "nne", "tano", "sita", "saba", "nane", "tisa"][int(x)] for x in d]),
    lambda d: f"+254 (0) {d[:3]} {d[3:]}",  # +254 (0) 712 345678
    lambda d: f"0{d[:4]} {d[4:]}",  # 07123 45678
]  # fmt: skip

IDENTIFIED = [
    # Kiswahili
    "Mimi ni {S}, simu yangu {P}. Polisi walinipiga Mabatini jana usiku.",
    "Jina langu ni {S} na namba yangu ni {P}, maji yamekatwa kwa wiki mbili.",
    "Naitwa {S}, nipigie {P} kwa maelezo zaidi kuhusu ubomoaji.",
    "Mwanangu alipigwa na askari. Nipigie kwa {P}. {R}",
    "Mama {S} alifurushwa kwa nyumba yake na landlord, yuko na watoto watatu.",
    "{C} ameshuhudia polisi wakichukua pesa za wafanyabiashara sokoni.",
    "Tafadhali mpigie {C1} kwa {P}, yeye ndiye aliona kila kitu.",
    "Bw. {S} wa Kiamaiko ndiye alibomolewa nyumba bila notisi.",
    "Shahidi ni {c}, anaishi karibu na stage ya matatu.",
    "Mimi ni mkazi wa Kibera, jina {S}. Vyoo vimejaa na hakuna anayesafisha.",
    "Msichana wa miaka 14 alinajisiwa, mama yake {C} ameenda polisi lakini hawakumsaidia.",
    "Nimeandika hii kwa niaba ya {C2}, hawezi kutuma sms. Simu yake {P}.",
    "Hospitali ya Mbagathi haina dawa. Asante, {S}",
    "Mzee {S} alipigwa na kanjo jana Gikomba, mpigie {P}.",
    "{C1} na {S} wote walikamatwa bila sababu na polisi wa Kayole.",
    # English
    "My name is {S}, my number is {P}. The county askaris destroyed our stalls yesterday.",
    "I am {S} from Mathare. Water has not come for 10 days. Call me on {P}.",
    "Please contact {C} on {P}, she saw the officers beating the boys.",
    "Reported by {R}. Sewage is flowing into our houses near the school.",
    "This is {S}. The chief refused to give us the burial permit unless we pay.",
    "Witness: {C}, tel {P}.",
    "{C1} was arrested for no reason at the stage and is still in the cells.",
    "The landlord threatened {C2} and her children with eviction on Friday.",
    "Contact person {S}, phone {P}, she knows all the 30 families affected.",
    "Regards, {S}",
    "I'm {S}, a mother of 4. The clinic sent us away without medicine.",
    "Mrs {S} was beaten by her husband again, neighbours called {P}.",
    "Call {P} or {P} if you need more details about the demolitions.",
    # Sheng
    "Msee mi ni {S}, hao makarao walinishika bila kosa, nishtue kwa {P}.",
    "Maji hakuna mtaa tangu wiki iliyopita, ni {S} hapa, number yangu ni {P}.",
    "{C1} ameshikwa na karao juu ya hanyanya, tuma doo ya bond, call {P}.",
    "Beste yangu {c} alichapwa na kanjo, tumeenda chief lakini hakuna kitu.",
    "Naitwa {S} from Kayole, kanjo wamebomoa vibanda zetu zote. {P}",
    "Niaje, ni mimi {S}. Stima imekatwa kwa block nzima siku tano.",
    "Hii ni ya {C}, ako na stori kuhusu wale polisi, mshtue {P}.",
    "Mathe yangu {C2} hajapata dawa ya pressure kwa clinic wiki mbili.",
    # Phones alone
    "Nipigie {P} nikupe maelezo.",
    "Call back {P}",
    "{P} hii ndio namba yangu, mnitumie jibu.",
    "Niko na picha za ubomoaji, nitumie whatsapp {P}.",
    "Send the officer's reply to {P} please.",
    "My phone: {P}. The borehole has been broken since March.",
    "Namba ya shahidi {P}, na yangu {P}.",
    "Mtu wa chama anaitwa {S}, simu {P}.",
    "The girl's mother {C} is at the police station, her number {P}.",
    "Akina mama 20 wamefurushwa. Mwenyekiti wetu ni {C}.",
]

# Written after the rules were tuned on the lists above, and never tuned on: the held-out figures.
IDENTIFIED_LATER = [
    "Habari, mimi ni {S} wa kikundi cha akina mama. Tumefukuzwa sokoni na kanjo. {P}",
    "Mtoto wa {C} amepotea tangu jana, tafadhali mpigie {P}.",
    "Askari walimpiga {C1} mbele ya watoto wake, tuko na video.",
    "My neighbour {C} was evicted at night, her number is {P}.",
    "Hello, I'm {S}. The MCA promised a borehole in 2022 and nothing happened. Reach me on {P}.",
    "Tunaomba msaada. {S} alikufa kwa sababu hospitali haikuwa na oxygen. Familia: {P}",
    "Ni mimi {S}, nilituma ripoti jana. Nipigie tafadhali {P}.",
    "Kuna jamaa anaitwa {S} anauza maji ya bomba kwa bei ghali, ako na kibali fake.",
    "Ujumbe kutoka kwa {C}: polisi wanatusumbua kila usiku. Simu {P}.",
    "{C2} says the chief took 2000 from her to sign the form. Call {P}.",
    "Rafiki yangu {c} alishikwa na polisi akienda job, hatujui yuko wapi.",
    "Please help. I am {S} and my landlord locked my house with my children's things inside. {P}",
    "Mama {S} na watoto wake wanne walifurushwa, wanalala nje ya kanisa.",
    "Tafadhali nijulishe kesi yangu imefika wapi. {R}, {P}.",
    "Kijana {C1} alipigwa risasi mguuni na polisi wakati wa maandamano.",
    "The chairlady of our group, {C}, can confirm everything. Her line is {P}.",
    "Sijui kama mtanisaidia, jina langu {S}. Simu: {P}",
    "Mzazi {S} amesema mwalimu mkuu anawatoza watoto pesa za mtihani.",
    "Naomba mnipigie {P} au mpigie dada yangu {C1} kwa {P}.",
    "Tulienda ofisi ya chief na {C} lakini tukaambiwa turudi wiki ijayo.",
]

NEAR_MISSES = [
    "Tulilipa KSh 2,500 kwa kila familia lakini maji hayajarudi tangu 12/07/2024.",
    "About 1,200,000 shillings was collected for the borehole in 2023 and nothing was built.",
    "Report R1042 has not been answered since 03-11-2025.",
    "Ward code 1446, Mabatini. Watu 350 wameathirika na mafuriko.",
    "The meeting is at 0800 hrs on 14.02.2026 at the chief's camp.",
    "Till number 5123456 was used to collect the bribe of 500 bob.",
    "Paybill 247247 account 1122334 for the water bill, but the meter reads 00012345.",
    "ID number 23456789 was taken by the officer at the roadblock.",
    "Tunataka amani na haki katika mtaa wetu.",
    "Baraka za Mungu, lakini barabara bado ni mbovu.",
    "We need peace and justice, and faith that the county will act.",
    "Neema ya Mungu imetusaidia, lakini hospitali haina madaktari.",
    "She was taken to Mama Lucy Kibaki Hospital with burns.",
    "Mafuriko yamefika Baba Dogo Road na nyumba 45 zimezama.",
    "Kwa Reuben residents say the sewer burst on 2/3/2025 at around 10.30pm.",
    "Kenyatta National Hospital refused to admit the patient without a deposit of 20000.",
    "The chief of Mabatini location promised to act by 30 June 2026.",
    "Between 2019-2024 more than 1200 households were evicted from the railway reserve.",
    "Matatu number plate KDA 123X knocked a child near Moi Avenue Primary School.",
    "Watoto 120 wa shule ya msingi ya Olympic hawana madawati.",
    "Case 0712/2024 at Makadara law courts has been adjourned 5 times.",
    "Huduma namba 1100 ilikuwa haifanyi kazi, tuliambiwa tupige 0800 720 000 bure.",
    "The price of a 20 litre jerrycan went from 10 to 50 shillings in 3 days.",
    "Mimi ni mkazi wa Mathare na tumechoka na uchafu.",
    "I am from Korogocho and the dumpsite is burning every night.",
    "Asante sana kwa kazi yenu.",
    "Polisi wa kituo cha Kasarani walidai 5000 ili wamwachilie.",
    "Over 200 people marched to the county offices on Monday 7th.",
    "Tumepanga mkutano tarehe 15/12 saa nne asubuhi kwa ofisi ya MCA.",
    "Grace period for the rent was 7 days but they came after 2.",
    "KPLC token 4521 8890 1123 4456 7788 was not accepted by the meter.",
    "Nyumba 14B, block 7, gate 3 — the landlord disconnected water.",
    "Temperature reached 38 degrees and 3 children fainted at the school.",
    "Hii ni mara ya 3 tunaripoti, reference R77 na R78.",
    "Kura 450 zilihesabiwa kwa kituo cha Kibera Primary.",
    "Chief Mwangi and the OCS promised to meet the residents next week.",
    "The Ministry of Health said 1,500 nets will arrive by 31/01/2026.",
    "Wanawake 30 kutoka kikundi cha Amani Self Help Group walihudhuria.",
    "Msaada wa unga kilo 2 kwa kila nyumba haukufika Kiamaiko.",
    "Sunday market at Gikomba was closed by kanjo at 6am.",
    # written after tuning (held out)
    "Tulilipa 1500 kwa mwezi lakini tangu 01/09/2025 maji hayatoki.",
    "Total of 12,345 people signed the petition between 2020 and 2025.",
    "The project code is KE-2024-0071 and the budget 7,500,000.",
    "Meet at Kamukunji grounds on 21.03 at 2pm, ward 1357.",
    "The OCS of Kilimani said the file number is 114/2025.",
    "Amani na upendo ndiyo tunataka, si vurugu.",
    "Faith in the county government is gone after 4 years of promises.",
    "Barabara ya Juja Road imeharibika kabisa karibu na Mathare North.",
    "Watu 712 wamesajiliwa kwa mpango wa nyumba, na 345 bado wanasubiri.",
    "Tarehe 07 12 2025 saa 0800 tulikutana na maafisa wa kaunti.",
]


def _phone_digits(i: int) -> str:
    """Invented 9-digit subscriber numbers (7xx or 1xx) that vary with i."""
    prefix = ["712", "722", "799", "733", "110", "701", "745", "768", "115", "790"][i % 10]
    return f"{prefix}{(i * 7919 + 123457) % 1_000_000:06d}"


NEAR_MISSES_TUNED = 40  # the first 40 near-misses were looked at while tuning


def corpus() -> list[tuple[str, list[tuple[int, int, str]], str, bool]]:
    out: list[tuple[str, list[tuple[int, int, str]], str, bool]] = []
    n = 0
    for t_index, template in enumerate(IDENTIFIED + IDENTIFIED_LATER):
        for fill in range(3):
            n += 1
            contact = CONTACTS[(t_index * 3 + fill) % len(CONTACTS)]
            other = OTHERS[(t_index * 5 + fill) % len(OTHERS)]
            reporter = REPORTERS[(t_index + fill) % len(REPORTERS)]
            if fill == 2:  # some self-introductions in lower case, as SMS are often written
                other = other.lower() if "{S}" in template and t_index % 2 else other
            values = {
                "C": contact,
                "C1": contact.split()[0],
                "C2": contact.split()[-1],
                "c": contact.lower(),
                "S": other,
                "R": reporter,
            }
            text, spans, phone_count = "", [], 0
            pos = 0
            for m in re.finditer(r"\{(P|C1|C2|C|c|S|R)\}", template):
                text += template[pos : m.start()]
                key = m.group(1)
                if key == "P":
                    form = PHONE_FORMS[(n + phone_count * 7) % len(PHONE_FORMS)]
                    value = form(_phone_digits(n * 3 + phone_count))
                    phone_count += 1
                    kind = "phone"
                else:
                    value, kind = values[key], "name"
                spans.append((len(text), len(text) + len(value), kind))
                text += value
                pos = m.end()
            text += template[pos:]
            out.append((text, spans, reporter if "{R}" in template else "", t_index >= len(IDENTIFIED)))
    for i, text in enumerate(NEAR_MISSES):
        out.append((text, [], "", i >= NEAR_MISSES_TUNED))
    return out
