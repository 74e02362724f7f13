"""Two example XLSForms in English and Kiswahili (invented for the demo and the tests): an eviction-
monitoring questionnaire (groups, a repeat, relevance, constraints, a geopoint, a photo, identities) and a
short water-point survey (select and integer questions only, so it can be answered by SMS and USSD)."""

from __future__ import annotations

from sauti.monitoring.openrosa.xlsform import workbook_bytes

EN, SW = "label::English (en)", "label::Kiswahili (sw)"

EVICTION: dict[str, list[list[str]]] = {
    "survey": [
        ["type", "name", EN, SW, "required", "relevant", "constraint", "constraint_message::English (en)", "identity"],
        ["note", "intro", "Eviction monitoring (ESC). Ask for consent first.", "Ufuatiliaji wa kufukuzwa. Omba ridhaa kwanza.", "", "", "", "", ""],
        ["text", "respondent_name", "Name of the person interviewed", "Jina la aliyehojiwa", "", "", "", "", "name"],
        ["text", "phone", "Phone number (optional)", "Nambari ya simu (si lazima)", "", "", "", "", "phone"],
        ["date", "eviction_date", "When did the eviction happen?", "Kufukuzwa kulitokea lini?", "yes", "", ". <= today()", "Not in the future", ""],
        ["select_one notice", "notice", "Was a notice given?", "Je, notisi ilitolewa?", "yes", "", "", "", ""],
        ["integer", "notice_days", "How many days of notice?", "Notisi ya siku ngapi?", "", "${notice} = 'written'", ". >= 0 and . <= 365", "0 to 365 days", ""],
        ["select_multiple actors", "actors", "Who carried out the eviction?", "Nani alifanya ufukuzaji?", "yes", "", "", "", ""],
        ["integer", "households", "How many households were evicted?", "Kaya ngapi zilifukuzwa?", "yes", "", ". >= 1 and . <= 5000", "1 to 5000", ""],
        ["select_one yesno", "violence", "Was force or violence used?", "Je, nguvu au vurugu zilitumika?", "yes", "", "", "", ""],
        ["begin_group", "place", "Where", "Wapi", "", "", "", "", ""],
        ["text", "place_text", "Village or estate", "Kijiji au mtaa", "", "", "", "", ""],
        ["geopoint", "location", "Location (GPS)", "Mahali (GPS)", "", "", "", "", ""],
        ["end_group", "", "", "", "", "", "", "", ""],
        ["begin_repeat", "losses", "Property lost", "Mali iliyopotea", "", "", "", "", ""],
        ["text", "item", "What was lost?", "Nini kilipotea?", "", "", "", "", ""],
        ["decimal", "value_kes", "Value (KES)", "Thamani (KES)", "", "", ". >= 0", "", ""],
        ["end_repeat", "", "", "", "", "", "", "", ""],
        ["image", "photo", "Photo (no faces without consent)", "Picha (bila nyuso bila ridhaa)", "", "", "", "", ""],
    ],
    "choices": [
        ["list_name", "name", EN, SW],
        ["notice", "written", "Written notice", "Notisi ya maandishi"],
        ["notice", "verbal", "Verbal only", "Ya mdomo tu"],
        ["notice", "none", "No notice", "Hakuna notisi"],
        ["actors", "police", "Police", "Polisi"],
        ["actors", "county", "County askaris", "Askari wa kaunti"],
        ["actors", "private", "Private guards", "Walinzi wa kibinafsi"],
        ["actors", "landlord", "Landlord", "Mwenye nyumba"],
        ["yesno", "yes", "Yes", "Ndiyo"],
        ["yesno", "no", "No", "La"],
    ],
    "settings": [
        ["form_id", "form_title", "version", "default_language", "kind", "category"],
        ["eviction_monitoring", "Eviction monitoring", "2026120101", "English (en)", "report", "housing"],
    ],
}  # fmt: skip

WATER: dict[str, list[list[str]]] = {
    "survey": [
        ["type", "name", EN, SW, "required"],
        ["select_one working", "working", "Is the water point working?", "Je, kituo cha maji kinafanya kazi?", "yes"],
        ["select_one source", "source", "What kind of water point?", "Ni kituo cha aina gani?", "yes"],
        ["integer", "price", "Price of a 20 l jerrican (KES)?", "Bei ya mtungi wa lita 20 (KES)?", "yes"],
        ["integer", "queue_minutes", "Minutes waited in the queue?", "Dakika za kusubiri foleni?", ""],
        ["select_one yesno", "disconnected", "Disconnected in the last month?", "Imekatwa mwezi uliopita?", "yes"],
        ["select_multiple problems", "problems", "Problems (choose all)", "Matatizo (chagua yote)", ""],
    ],
    "choices": [
        ["list_name", "name", EN, SW],
        ["working", "yes", "Working", "Inafanya kazi"],
        ["working", "partly", "Partly", "Kiasi"],
        ["working", "no", "Not working", "Haifanyi kazi"],
        ["source", "kiosk", "Water kiosk", "Kioski cha maji"],
        ["source", "tap", "Public tap", "Bomba la umma"],
        ["source", "borehole", "Borehole", "Kisima"],
        ["yesno", "yes", "Yes", "Ndiyo"],
        ["yesno", "no", "No", "La"],
        ["problems", "dirty", "Dirty water", "Maji machafu"],
        ["problems", "meters", "New meters", "Mita mpya"],
        ["problems", "cartels", "Cartels", "Magenge"],
        ["problems", "none", "None", "Hakuna"],
    ],
    "settings": [
        ["form_id", "form_title", "version", "short", "sms_keyword"],
        ["water_point", "Water-point survey", "2026120101", "yes", "MAJI"],
    ],
}  # fmt: skip


def xlsx(sheets: dict[str, list[list[str]]]) -> bytes:
    return workbook_bytes(sheets)
