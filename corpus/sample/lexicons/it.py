"""Italian word list and sentence templates (written for this project; grammar is approximate)."""

CODE = "it"

WORDS = {
    "DET": "il la lo i le un una questo questa suo sua nostro ogni",
    "NOUN": """casa città uomo donna bambino giorno anno tempo strada mondo vita mano occhio lavoro acqua scuola
        amico famiglia via giardino finestra sera mattina lettera libro tavolo stanza cielo bosco paese treno
        stazione governo storia domanda risposta notte settimana estate inverno mare montagna fiume cucina porta
        maestro medico mercato chiesa giornale vicino macchina ponte sole pioggia vento voce viso canzone
        viaggio decisione problema idea ricordo azienda sindaco""",
    "ADJ": """vecchio nuovo grande piccolo buono lungo bello scuro chiaro tranquillo freddo caldo primo ultimo
        giovane veloce pesante leggero importante semplice strano""",
    "VERB": """è era ha aveva vede vedeva trova trovò conosce fa fece prende prese dà diede dice disse va andava
        viene venne resta pensa pensava crede apre aprì scrive scrisse legge porta cerca compra vende racconta
        aspetta lavora guarda vuole""",
    "ADV": """oggi domani sempre mai spesso già ancora anche poi adesso qui lì molto lentamente improvvisamente
        finalmente presto ieri forse davvero""",
    "PREP": "in con su a da verso sotto davanti_a dietro vicino_a per senza contro tra di",
    "SUB": "quando anche_se mentre perché",
    "PRON": "lui lei noi io loro",
    "NAME": "Giulia Marco Francesca Luca Chiara Giovanni Sara Paolo Elena Andrea Roberta Matteo",
    "TIME": """la_mattina la_sera durante_la_notte il_giorno_dopo d'estate d'inverno da_anni ogni_giorno
        la_settimana_scorsa a_mezzanotte""",
}

TEMPLATES = (
    "DET NOUN ADJ VERB ADV PREP DET NOUN",
    "PRON VERB DET NOUN, e PRON VERB ADV",
    "TIME, NAME VERB DET NOUN PREP DET NOUN",
    "NAME disse che DET NOUN era molto ADJ",
    "C'era DET NOUN ADJ PREP DET NOUN",
    "PRON non VERB DET NOUN, ma VERB DET NOUN",
    "Perché PRON VERB DET NOUN?",
    "È DET NOUN ADJ, SUB PRON VERB ADV",
    "DET NOUN di DET NOUN VERB ADV ADJ",
    "NAME e NAME VERB ADV PREP DET NOUN",
)
