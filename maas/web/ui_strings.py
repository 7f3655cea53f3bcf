"""The resident page's texts in fi, sv and en (the page and its JavaScript read them from the template)."""
LANGUAGES = [("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")]

_KEYS = ("title", "sign_in", "sign_out", "email", "password", "signed_in_as", "login_failed", "from", "to",
         "pick_hint", "search_stop", "modes", "time", "leave_now", "plan", "itineraries", "no_itineraries",
         "transfers", "co2", "price", "book", "booked", "bookings", "permits", "none", "alerts", "language",
         "change", "walk", "bike", "transit", "city_bike", "scooter", "car", "tram", "metro", "bus", "rail",
         "ferry", "taxi", "no_stop_search", "min", "origin_set", "destination_set", "need_sign_in", "error")

_TEXTS = {
    "en": ("Kalasatama MaaS", "Sign in", "Sign out", "Email", "Password", "Signed in as", "Sign-in failed",
           "From", "To", "Click the map: first the origin, then the destination", "Search a stop", "Modes",
           "Departure", "leave now", "Plan", "Itineraries", "No itineraries found", "transfers", "CO₂",
           "Price", "Book", "Booked", "My bookings", "My parking permits", "none", "Alerts", "Language",
           "Change", "walk", "own bike", "public transport", "city bike", "e-scooter", "car", "tram", "metro",
           "bus", "train", "ferry", "taxi", "Stop search is not available", "min", "Origin set",
           "Destination set", "Sign in to plan and book", "Error"),
    "fi": ("Kalasataman MaaS", "Kirjaudu", "Kirjaudu ulos", "Sähköposti", "Salasana", "Kirjautuneena",
           "Kirjautuminen epäonnistui", "Mistä", "Minne", "Napsauta karttaa: ensin lähtöpaikka, sitten määränpää",
           "Hae pysäkkiä", "Kulkutavat", "Lähtöaika", "lähde nyt", "Hae reitit", "Reittiehdotukset",
           "Reittejä ei löytynyt", "vaihtoa", "CO₂", "Hinta", "Varaa", "Varattu", "Varaukseni",
           "Pysäköintitunnukseni", "ei yhtään", "Häiriötiedotteet", "Kieli", "Vaihda", "kävely", "oma pyörä",
           "joukkoliikenne", "kaupunkipyörä", "sähköpotkulauta", "auto", "raitiovaunu", "metro", "bussi", "juna",
           "lautta", "taksi", "Pysäkkihaku ei ole käytettävissä", "min", "Lähtöpaikka valittu",
           "Määränpää valittu", "Kirjaudu suunnitellaksesi ja varataksesi", "Virhe"),
    "sv": ("Fiskehamnens MaaS", "Logga in", "Logga ut", "E-post", "Lösenord", "Inloggad som",
           "Inloggningen misslyckades", "Från", "Till", "Klicka på kartan: först startpunkten, sedan målet",
           "Sök hållplats", "Färdsätt", "Avgångstid", "åk nu", "Planera", "Resförslag", "Inga resförslag hittades",
           "byten", "CO₂", "Pris", "Boka", "Bokad", "Mina bokningar", "Mina parkeringstillstånd", "inga",
           "Störningsmeddelanden", "Språk", "Byt", "gång", "egen cykel", "kollektivtrafik", "stadscykel",
           "elsparkcykel", "bil", "spårvagn", "metro", "buss", "tåg", "färja", "taxi",
           "Hållplatssökning är inte tillgänglig", "min", "Startpunkt vald", "Mål valt",
           "Logga in för att planera och boka", "Fel"),
}
STRINGS = {language: dict(zip(_KEYS, texts, strict=True)) for language, texts in _TEXTS.items()}


def strings_for(language: str) -> dict:
    return STRINGS.get(language, STRINGS["fi"])
