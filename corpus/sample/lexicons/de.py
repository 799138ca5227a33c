"""German word list and sentence templates (written for this project; grammar is approximate)."""

CODE = "de"

WORDS = {
    "DET": "der die das ein eine dieser diese jede unser sein ihr kein",
    "NOUN": """Haus Stadt Mann Frau Kind Tag Jahr Zeit Weg Welt Leben Hand Auge Arbeit Wasser Schule Freund
        Familie Straße Garten Fenster Abend Morgen Brief Buch Tisch Zimmer Himmel Wald Dorf Zug Bahnhof
        Regierung Geschichte Frage Antwort Nacht Woche Sommer Winter Land Meer Berg Fluss Küche Tür Lehrer
        Ärztin Markt Kirche Zeitung Nachbar Wohnung Auto Brücke Sonne Regen Wind Stimme Gesicht Bild Lied Reise
        Entscheidung Problem Idee Erinnerung Firma Unternehmen Polizei Bürgermeister Gemeinde Bevölkerung
        Wirtschaft Krankenhaus""",
    "ADJ": """alte neue große kleine gute lange schöne dunkle helle stille kalte warme ganze erste letzte junge
        ruhige schnelle schwere leichte wichtige einfache freundliche fremde eigene""",
    "ADJP": "alt neu groß klein gut lang schön dunkel hell still kalt warm wichtig einfach freundlich fremd müde",
    "VERB": """ist war hat hatte sieht sah findet fand kennt kannte macht machte nimmt nahm gibt gab sagt sagte geht
        ging kommt kam bleibt blieb steht stand liegt lag denkt dachte glaubt öffnet öffnete schreibt schrieb
        liest las trägt bringt brachte sucht suchte braucht kauft verkauft erzählt wartet arbeitet""",
    "ADV": """heute morgen immer nie oft schon noch auch wieder dann jetzt hier dort sehr langsam plötzlich endlich
        bald gestern vielleicht wirklich natürlich trotzdem deshalb""",
    "PREP": "in mit auf an bei nach von zu über unter vor hinter neben durch für ohne gegen",
    "SUB": "weil dass wenn als obwohl während bevor nachdem",
    "PRON": "er sie es wir ich man",
    "NAME": "Anna Peter Thomas Julia Michael Sabine Klaus Monika Stefan Lena Jürgen Katrin Wolfgang Ursula Felix Greta",
    "TIME": """am_Morgen am_Abend in_der_Nacht am_nächsten_Tag im_Sommer im_Winter seit_Jahren jeden_Tag
        letzte_Woche um_Mitternacht""",
}

TEMPLATES = (
    "DET ADJ NOUN VERB ADV PREP DET NOUN",
    "PRON VERB DET NOUN, und PRON VERB ADV",
    "ADV VERB NAME PREP DET NOUN",
    "NAME VERB, SUB DET NOUN ADJP ist",
    "TIME VERB PRON PREP DET NOUN",
    "DET NOUN VERB nicht ADV, aber PRON VERB DET ADJ NOUN",
    "Es war DET ADJ NOUN",
    "Warum VERB PRON DET NOUN?",
    "PRON VERB ADV, SUB DET NOUN ADJP war",
    "Die NOUN der NOUN VERB ADV ADJP",
    "Im NOUN VERB NAME und NAME ADV PREP DET NOUN",
)
