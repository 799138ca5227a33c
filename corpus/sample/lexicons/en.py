"""English: the majority language of the sample corpus (about 70% of documents).

Written for this project. Categories are ordered roughly by frequency, because the generator draws the
first words of a category more often (a Zipf-like skew), and the templates carry the function words
(the, of, was, that, to, had, would) that make the text read - and be detected - as English prose.
Adjectives all start with a consonant so that "a ADJ" never reads "a old".
"""

CODE = "en"
TITLE_CASE = True

WORDS = {
    "DET": "the the the the his her their our my that this the the",
    "DETP": "the these those many some several his her their our",
    "NOUN": """house letter window garden road river village morning evening door table book voice face hand
        friend mother father brother sister doctor teacher soldier captain stranger child woman man girl boy dog
        horse ship train car street city country island mountain forest field lake sea shore bridge tower church
        station market school office kitchen room bed lamp fire wall floor roof gate path hill valley storm rain
        wind snow sun moon sky cloud winter summer autumn night day week year hour moment story song picture
        photograph newspaper message question answer idea plan promise secret problem reason decision mistake
        chance choice memory dream silence noise light shadow journey meeting dinner breakfast supper party
        wedding war army king queen prince farm barn coat hat box bag key coin ring knife bottle glass cup plate
        bread apple cake coffee tea water wine money price gift ticket map list name number family neighbour
        guest servant owner driver farmer baker lawyer nurse student author painter singer engine harbour
        council company government village library hospital museum theatre newspaper""",
    "NOUNS": """people children years days women men friends soldiers letters houses windows trees flowers birds
        books stories questions words eyes hands streets roads rivers hills fields mountains ships boats horses
        dogs clouds stars lights voices faces rooms doors walls neighbours guests students workers farmers
        families visitors villagers travellers sailors officers leaders prices plans ideas""",
    "LOC": """house station market village church river office school harbour hospital garden kitchen library
        bridge square hotel cottage farm shop city coast valley hill forest museum theatre""",
    "NAME": """Anna Thomas Margaret John Elizabeth James Mary William Sarah Henry Emily George Alice Robert Clara
        Edward Lucy Charles Helen Arthur Grace Daniel Rose Peter Jane Michael Laura David Kate Samuel Ellen
        Joseph Martha Frank Ruth Walter Nora Harry""",
    "ADJ": """quiet small large bright cold dark warm long short strange young good new great little beautiful
        heavy narrow broad gentle simple sudden silent distant familiar careful curious famous fine busy calm
        clean dusty friendly gray green golden hidden hungry lonely lovely patient perfect pleasant polite poor
        proud rare rich rough sad serious sharp soft solid steady sweet tall thin tired terrible tiny true
        wooden yellow bitter bold brave cheerful clever crowded deep dry faint fierce fresh gloomy grand happy
        harsh humble kind late lazy loud lucky mild modest muddy neat noble pale plain pretty quick ready red
        blue black brown shallow slow smooth sturdy thick""",
    "ADV": "never always often suddenly finally slowly quietly carefully already almost simply barely rarely soon once still just",
    "ADVM": """slowly quickly quietly carefully gently softly loudly happily sadly calmly patiently suddenly badly
        well together again alone away early late""",
    "VT": """opened found took saw knew remembered watched carried brought closed left kept held lost bought sold
        wrote read painted built washed cleaned followed answered asked called visited noticed touched moved
        pulled pushed dropped picked lifted hid broke mended fixed counted chose loved hated wanted needed
        described forgot recognized admired studied""",
    "VI": """arrived laughed waited slept smiled listened stopped disappeared hesitated whispered nodded sighed
        stayed agreed shouted cried rested returned appeared paused trembled worked prayed danced sang fell""",
    "VMOVE": "walked ran drove hurried returned went came travelled rode sailed climbed wandered rushed moved crossed",
    "VB": """see find take open close carry bring keep hold lose buy sell write read build wash follow answer call
        visit notice touch move leave forget remember explain understand choose help meet change""",
    "VBI": "stay leave wait return sleep rest laugh listen arrive disappear change begin end continue",
    "PREP": """in near behind across through under over beside toward into from along around past inside outside
        above below beyond by""",
    "TIME": """that_evening in_the_morning after_dinner the_next_day last_summer at_midnight before_dawn
        that_winter every_Sunday on_Monday early_in_the_spring late_at_night by_noon in_those_days once_again
        at_last for_a_while two_days_later the_following_week that_afternoon""",
    "SUB": "when because although while after before until as since",
    "CONJ": "and but so yet",
    "NUM": "two three four five six seven several many a_few some twenty a_dozen",
    "TUNIT": "days weeks months years hours nights",
    "PRON": "he she they we I he she",
    "PRONS": "he she I he she",
    "PRONP": "they we",
    "OBJ": "him her them us me it",
}

TEMPLATES = (
    "DET ADJ NOUN VT DET NOUN PREP DET NOUN",
    "NAME VI PREP DET NOUN TIME",
    "PRON VT DET NOUN, CONJ PRON VI ADVM",
    "TIME, NAME VT DET ADJ NOUN",
    "It was a ADJ NOUN, and DETP NOUNS were ADJ",
    "There was a ADJ NOUN PREP DET NOUN",
    "PRON did not want to VB DET NOUN",
    "NAME said that DET NOUN was ADJ",
    "PRON could VB DET NOUN from DET LOC",
    "NUM NOUNS VI PREP DET ADJ LOC",
    "SUB PRON VI, DET NOUN was ADJ and ADJ",
    "PRON ADV VT DET NOUN",
    "The NOUN of DET NOUN was ADJ",
    "PRON VI PREP DET NOUN and VT DET NOUN",
    "After DET NOUN, NAME VMOVE to DET LOC",
    "PRON thought about DET NOUN for a ADJ time",
    "PRON knew that DETP NOUNS would VBI TIME",
    "Why did PRON VB DET NOUN?",
    "NAME VT OBJ PREP DET LOC",
    "DET NOUN was ADJ, but DET NOUN was ADJ",
    "PRONS had never seen such a ADJ NOUN",
    "Most of DETP NOUNS VI ADVM PREP DET LOC",
    "NAME and NAME VMOVE to DET LOC TIME",
    "PRON VT DET ADJ NOUN SUB DET NOUN VI",
    "DET ADJ NOUN VI PREP DET LOC",
    "For NUM TUNIT, PRON VT DET NOUN",
    "DET LOC was ADJ and ADJ TIME",
    "It is ADJ to VB DET NOUN PREP DET NOUN",
    "PRON will VB DET NOUN TIME",
    "PRONP were ADJ, SUB DET NOUN had VI",
    "Perhaps DET NOUN was ADJ after all",
    "PRON VT DET NOUN and VT DET NOUN",
    "Did PRON VB DET NOUN?",
    "How ADJ the NOUN was!",
    "Nobody in DET LOC VT DET NOUN of DET NOUN",
    "PRON asked NAME to VB DET NOUN",
    "The NOUNS of DET LOC were ADJ and ADJ",
    "NAME VMOVE PREP DET LOC, CONJ DET NOUN VI",
)

TITLES = (
    "The ADJ NOUN",
    "The NOUN of the LOC",
    "NAME and the NOUN",
    "A ADJ NOUN",
    "NOUNS of the LOC",
    "The Last NOUN",
    "NAME",
)
