"""Word lists the English detector counts with, written by hand for this package (no data set was fitted).

``ENGLISH_FUNCTION_WORDS`` (function words, auxiliaries, pronouns, contractions, common adverbs; counted in
any case) and ``ENGLISH_CONTENT_WORDS`` (everyday nouns, verbs, adjectives; counted only in lower case)
are frequent English words that are rarely *words* in other Latin-script languages. Words that other
languages use a lot are excluded explicitly in ``ENGLISH_AMBIGUOUS`` (a, an, in, is, on, to, do, no, of
- Dutch "or" -, die, also, will, was, for, men - Norwegian "but" -, may - Tagalog -, can - Turkish -,
door and met - Dutch -, care - Romanian "which" -, ...): in Irish, Dutch, Latin or Tagalog text they
would look like English.

``FOREIGN_WORDS`` maps a language tag to frequent words of that language. It covers the Latin-script
languages that ``langdetect`` has no profile for (Irish, Latin, Scots, Yoruba, the Southern Bantu
languages, Luganda, Maori, Somali, Basque, Esperanto, Icelandic, Malay, Azerbaijani, Bosnian...),
transliterated Hindi and Russian, and the common European languages, so that a document with a few
English words in it is still recognised as what it is. English words (listed or ambiguous) and
``ENGLISH_HOMOGRAPHS`` ("air" is Irish too, "ex" Latin, "gang" Scots) are removed from every foreign list
when it is loaded, so a word can only ever count for one side.
"""

from __future__ import annotations

# Function words, auxiliaries, pronouns, contractions and common adverbs: counted in any letter case.
ENGLISH_FUNCTION_WORDS = """
the and that with this have from which were been would their they there what when about into some could
than these only other through should because those each such while him you your them its has had not but
it she his hers himself herself itself themselves ourselves yourself myself our ours us who whom whose how
why where whether whatever whenever however although though unless until upon within without against
between among during after before since around another either neither both several something nothing
anything everything someone anyone everyone nobody somebody might must shall does did done doing being
having again away back still never always often sometimes already almost enough together perhaps rather
quite yet ever here now then today very really more most less least much many few own same well out up
down off if one two three four five seven eight first second third last next according across along
behind beyond toward towards throughout whereas said says get got also
wasn't isn't aren't don't doesn't didn't can't cannot won't wouldn't couldn't shouldn't haven't hasn't
hadn't it's that's there's here's what's let's i'm i've i'll i'd you're you've you'll you'd he's she's
we're we've we'll they're they've they'll who's should've would've could've
"""

# Everyday nouns, verbs and adjectives: counted only when written in lower case, because capitalised they
# are mostly names ("New York City", "High School") that appear in text of every language.
ENGLISH_CONTENT_WORDS = """
new good great little big long high small large best better old young early late free full real sure
important different possible available whole special certain clear common simple easy hard strong
people person world year years day days time times way life home house family children child woman women
government company school students student university city town country state states business market
group number story fact example night money week month months head eye eyes hands words book books music
team game season history church river county island north south east west friends friend father mother
son's daughter brother sister husband wife girl boy man's men's love death body mind heart work job jobs
water food health power war law court police president party members member community research study data
make makes made making take takes took taken know knew known think thought say tell told see saw seen look
looked looking give gave given find found want wanted need needed use used using worked working like
liked seem seemed feel felt leave left keep kept let put become became begin began call called try tried
ask asked turn turned show showed shown move moved live lived believe bring brought happen happened write
wrote written provide provided include includes included including following follow based read run ran
set pay paid meet met lead led understand spend spent grow grew open close win won lose lost remember
consider appear buy bought wait serve die died send sent expect build built stay fall fell cut reach kill
remain suggest raise pass sell sold require report decide pull learn learned change changed help helped
start started play played released published named located born held going coming getting looking
things thing place area way ways side level order case point system program problem question service
information public local national international part kind room reason end line area during name
add added allow allowed almost answer art available away bad become bed behind believe black blue born
bring building buy car care carry cause centre center certain chance change character check choose city
class clean clear cold college compare complete computer concern condition control cost could country
course cover create cross cup current dark deal death decision deep describe design detail develop
development difference difficult dinner direction discover discussion doctor dog door draw dream dress
drink drive drop during easy eat economic education effect effort either election else employee energy
enjoy enter environment especially evening event every everybody evidence exactly experience explain
eye fail fall far fast father fear feeling field fight figure fill final finally financial fine finish
fire floor fly focus foot force foreign forget form former forward future garden general generation girl
glass goal green ground grow growth guess gun hair half happy hear heard heavy herself hold hope hospital
hot hotel hour hours huge human husband idea identify image imagine improve increase indeed industry
interest interesting issue itself join just keep key kitchen knowledge land language large later laugh
lawyer lay learn least leg letter lie light likely list listen little low machine magazine main maintain
major manage management manager material matter maybe mean measure media medical meeting memory mention
message method middle might military million minute miss modern moment morning mouth movie myself
natural nature near nearly necessary need network news newspaper nice nor note notice office officer
official oil ok once operation opportunity option others outside owner page pain paper parent parents
particular particularly partner past patient peace per perform performance period phone physical picture
piece plan plant player please policy political poor popular population position positive power
practice prepare present pressure pretty prevent price private probably process produce product
production professional professor project property protect prove provide purpose quality quickly
race radio range rate reach ready realize receive recent recently recognize record red reduce reflect
relationship religious rest result return reveal rich right rise risk road rock role rule safe save
scene science scientist score sea seat security seek sense series serious several share short shot
should shoulder sign significant similar since sing single sit site situation size skill skin small
social society soldier somebody son song soon sort sound source space speak specific speech sport
staff stage stand standard star statement step stock stop store street structure stuff style subject
success successful suddenly suffer summer support surface table talk task tax teach teacher technology
television tend term test themselves theory thousand threat throw thus tonight top total tough toward
trade traditional training travel treat treatment tree trial trip trouble true truth turn type under
unit until upon usually value various victim view violence visit voice vote wall watch weapon wear
weight whatever white wide wife wind window wish within wonder worker worry wrong yard yeah yes yourself
youth regarding requirements required requirement topic future course
"""

ENGLISH_WORDS = (ENGLISH_FUNCTION_WORDS + ENGLISH_CONTENT_WORDS).split()

# Words dropped from the list above on purpose even though they are English (see the module docstring);
# kept here so the exclusion is explicit and tested.
ENGLISH_AMBIGUOUS = frozenset(
    "a an i in is on to me he we my so do no go be at as or of die den man will was also war hat see per "
    "come son over under for men by may can just her all am are ten six even via film album team hand "
    "word water area system service information public local national international place point case "
    "part side kind problem question region village face end name level order program line reason door met "
    "care sort stand fine pain note type form rest plan list hotel radio media material minute series general "
    "final natural social moment page image option position source style table sport test site art stage "
    "science machine product project centre direction condition control total violence land bad fast hold "
    "car bed red once ok patient partner manager computer hospital doctor professor magazine record "
    "structure surface figure cause force present effort message simple possible important special certain "
    "real data court police president mind open lose fall pass decide change start week state person long "
    "large best hard".split()
)

# English words (not in the English lists) that some foreign list also has: counted for neither side, so
# "Clean Air Act" is not Irish evidence and "ex post" is not Latin.
ENGLISH_HOMOGRAPHS = frozenset(
    "air don sin ann ad cum ab ex post sub super ego rex non aw sic cam scots bides gang bonnie lassie laddie "
    "ilk gotten greet ya ha bang gore bone pa hi lava era bye ye ai ma pea kale ah mid bat zen al er um con "
    "para lo plus par van op pole co ale pro din hum jab tab tut ay".split()
)

FOREIGN_WORDS: dict[str, str] = {
    # --- Latin-script languages langdetect has no profile for ---------------------------------------
    "ga": """agus na ar le sa ag don ach nach ní níor tá bhí sé sí siad mé tú muid seo sin ó faoi chun leis
        idir mar gur nuair atá bhfuil raibh beidh bheith dhá aon eile freisin chomh fiú cé cad conas tar éis
        ina inár dó di dóibh orthu air uirthi aige aici acu ann uair mhór mór bliain bhliain chéad rí bhí
        d'imigh níos mó ná mhaith cuid taobh istigh amach isteach anseo ansin féin gach dtí go dtí thart
        fada ba iad bhíodh agam againn leo uathu dom duit gan trí ceithre cúig sna ón san chuig roimh
        tar éis tríd fadó anois inniu amárach inné fós riamh arís """,
    "la": """et est ad non cum qui quae quod sed ut ab ex sunt esse enim etiam autem ac atque nec vel aut eius
        eorum suis suum sua hic haec hoc ille illa illud inter post ante sub super tamen quam quia sicut erat
        fuit fuerat anno apud usque eo ubi ita nunc tum tunc iam modo quoque idem ipse ipsa omnes omnia
        magnus magna urbs urbis primus prima quo quem quibus cuius eum eam eos eas sibi se nobis vobis
        mihi tibi ego tu nos vos ne neque sive seu ergo igitur nam quidem dum donec postea antea deinde
        saepe semper numquam nihil multi multa multis erant fuerunt esset essent potest possunt habet
        habent dicitur vocatur anni annis annos saeculo saeculi regis rex imperator populus romani romanus""",
    "sco": """tae wi fae frae aw ane oot aboot cannae dinnae isnae wisnae disnae haes hae ken kent yin thir thae
        maist mair awa gie gied bairn bairns kirk whaur efter wha whit nae intae ontae hame doon roond richt
        gey muckle mony sic whan anither ither atween juist yit thegither baith gaed cam heid leid kintra
        unitit scots o' an' ye'll ye'r yer cuid wad wadnae shoud coud umwhile ilka ay thon lang fowk bides
        caipital ceety hunners lawlands tradeetion auld pairt pairts ain awn gaun gang bonnie lassie laddie
        hoose toun braw noo hou sae nocht ocht verra unco syne yince twa thrie fower hunder thoosand warld
        wark heich laich faimily forby ower onie oniewey ilk nou schuil scuil cuntra offeecial govrenment
        pairlament leids spak spaken kens haed wis wisna cannae canna dinna didnae doesnae winnae wouldnae
        shouldnae wouldna tellt gien gotten glaikit greet hame""",
    "yo": """ní ti àti ó wọ́n jẹ́ sí fún náà kan ni pé láti ń rẹ̀ mo o èyí yìí gẹ́gẹ́ bí nígbà tí ọdún àwọn jù lọ
        ṣe ilé ìlú orílẹ̀ èdè wà kò ìyẹn wọn àwa ẹ̀yin òun ọmọ nǹkan gbogbo tún sì lè fi lórí nínú
        wá rí ọ̀pọ̀lọpọ̀ tàbí ṣùgbọ́n nítorí bẹ́ẹ̀ ìgbà àkọ́kọ́ olú""",
    "st": """le ho ka ya ba sa tsa hore ke ha ne ena eo bona hae tse mme empa kapa ntho batho motho moo joale
        jwale teng hape hloka ntse ile rona lona kgotso tsela ditaba hobane haholo feela bang bohle kaofela
        dintho ntle mona moo hona e le ho etsa tseo seo sena kamoo jwalo haeba nakong""",
    "tn": """le go ka ya ba mo sa tsa gore ke fa ne eo bona gagwe tse mme fela kgotsa batho motho gape jaaka
        gonne thata nna rona bone kwa ga jalo sentle teng gompieno nako ntse dira dirwa tseo seo sena mme
        ene bontsi botlhe tsotlhe gotlhe fela""",
    "sn": """ne kuti uye ku mu pa na kana asi zvino zvakare iye ivo ini isu imi vanhu munhu nyika zvakanaka
        chete kwete ndiyo ichi icho izvi izvo iyi iyo uyu uyo aya ayo vaya ari aive vakanga kwa zva cha ya
        wa va nekuti sei zvose vose pamwe vachiti akati vakati ndakati zvinhu nhasi""",
    "xh": """ukuba kwaye ngoko kodwa kunye uku ngo yi ku nge le eli lo aba ndi ngu ngokuba kakhulu nje ke apho
        emva phambi kule kulo kwi kwa zonke bonke yonke wonke abantu umntu ilizwe kuba xa okanye njengoko
        kwakhona ngexesha ukuze sele phantsi phezu ezi aba zabo babo bakhe yakhe""",
    "zu": """ukuthi futhi kodwa kanye noma ngoba lapho kakhulu nje kuze uma ngakho wonke bonke konke zonke
        abantu umuntu izwe kuyo kulo kule lokhu lesi leli laba lo le ngo nge ku ka wa ya kwa kanti nokho
        ngesikhathi ukuba ngokuthi kusho uthe wathi bathi khona manje kahle yini zakhe wakhe bakhe""",
    "ts": """ku ka na hi ni swi leswi loko kambe naswona hinkwaswo vanhu munhu tiko eka u va ya ra wa xa leyi
        lava lowu leri kumbe ngopfu tlhela ntsena sweswi endzhaku emahlweni kona yena vona hina n'wana
        leswaku hikuva kutani nakambe xikwembu vutomi""",
    "lg": """mu ku nga era na oba naye kubanga kye bye gye ye be ba abantu omuntu ensi kino kiri kati nnyo buli
        okuba okusobola ekyo ebyo abo ono oyo wano eyo mwe tu nti ne bwe kwe lwe kyokka wabula olw
        ng'abantu n'abalala kuno bano abalala ebintu ekintu gavumenti""",
    "mi": """te ki ko ka ngā nga kei kua ana tēnei tenei tērā rātou ratou ia ahau mātou tātou koutou kāore
        kaore hoki anō ano ai nei nā mō mā whare tangata iwi reo wā rā atu mai tonu pea ōna ona
        tōna tona tōku taku āna tā hei kia katoa whai roto runga raro""",
    "so": """iyo oo ka ku la waa ee ay uu ayaa aan waxa waxaa leh inay sida kale kaliya markii hadii haddii
        laakiin sidoo waxay wuxuu dalka dadka ah soo ugu kala badan sannadka sanadka intii isaga iyaga aniga
        adiga mid qaar waxaad kuma lagu loo ayuu ayay""",
    "eu": """eta da ez bat du dira zen ere baina edo hau hori hura bere baita oso izan dute zuen zuten ziren
        beste egin behar bezala gero orain baino eta bi hiru urte urtean""",
    "eo": """kaj la de en estas al kun por ne ke mi vi li ŝi ĝi ni ili tiu tio kiu kio sed aŭ ankaŭ pli tre
        estis estos povas inter dum post antaŭ sur sub ĉe el pri laŭ ĉar ĉiuj unu du""",
    "is": """og að er í á sem til við um með af það var ekki en þá eru hann hún þeir þær frá eftir hafa hefur
        hafði verið vera einnig sínum sína sitt þessi þetta þess eða sig""",
    "ms": """dan yang di ke dari untuk dengan ini itu tidak akan pada dalam adalah ialah oleh telah juga kepada
        atau bagi tetapi sebagai mereka kami kita saya anda beliau boleh sudah lebih banyak""",
    "az": """və bu bir ilə üçün də da olan olaraq onun ki isə kimi daha çox görə sonra əvvəl var yox həm
        ilk il ildə edir etmək olub olunur""",
    "bs": """je i u na se da za od su koji koja koje kao iz sa ili ali što ne bio bila bilo biti će ga
        njegov njegova nakon prije kada tako samo još""",
    # --- transliterated text ----------------------------------------------------------------------
    "hi-Latn": """hai hain ka ki ke ko nahi nahin mein kya aur se yeh ye woh wo tha thi bhi kar raha rahe rahi
        hoon hun tum aap hum mujhe tujhe usne maine kuch bahut accha acha kyun kaise kab jab tab agar lekin
        liye wala wali sab abhi phir toh yaar kyunki isliye matlab""",
    "ru-Latn": """ya ona oni vy chto kak eto tak vse ego ee kotoryy kotorye byl byla bylo budet mozhno nuzhno
        ochen seychas tolko uzhe esli kogda gde pochemu tozhe tebya menya privet spasibo pozhaluysta
        khorosho davay nichego zdes tam tut ili dlya bez""",
    # --- languages langdetect knows; listed so that mixed evidence is weighed ------------------------
    "es": """el los las del por con una para que es se su al lo como más pero sus le ya muy también fue ha
        sido porque sobre entre cuando todo esta este desde hasta donde durante sin según""",
    "pt": """os das dos uma com não para que se por mais mas como foi ao pelo pela seu sua também já são
        está entre quando muito até isso ele ela eles depois sobre""",
    "fr": """le les des du une et est dans pour que qui pas sur au aux avec il elle ils sont ce cette mais
        plus par été fait comme leur ses où nous vous très tout aussi entre après""",
    "it": """il della dei delle di che è per una sono non con del gli alla nel anche più questo questa
        stato essere come suo sua dopo tra fra molto perché""",
    "de": """der die das und ist nicht mit sich des auf für dem den ein eine einer auch es als wie dass zu
        sie wir ihr wird werden wurde oder aber nach bei noch aus nur um durch""",
    "nl": """de het een van en niet dat op te zijn voor met ook maar als bij aan er om wordt werd hij zij
        deze dit naar uit wel nog tot door geen worden""",
    "af": """die en van het nie is te vir wat op dat met hy sy ook maar deur om ons julle hulle sal
        kan daar baie ek jy 'n""",
    "da": """og det er at en til på som med af ikke der har de den for var jeg sig fra kan om men være
        eller efter også når ved blev""",
    "sv": """och det att är som en på av för med till den inte har de jag om ett var men från han hon
        eller också när efter vid kan ska skulle""",
    "nb": """og det er i at en til på som med av ikke der har de den for var jeg seg fra kan om men være
        eller etter også når ved ble""",
    "fi": """ja on ei se että oli ovat kun mutta myös hän joka tai kuin sen niin jo vain ovat olla ole
        mukaan sekä jälkeen""",
    "et": """ja on ei et see oli ka kui aga mis ta nii või siis seda ning veel oma kes pole peab""",
    "pl": """i w na z się że nie do jest to jak o po za co od przez dla jego jej są był była było oraz
        także tylko jednak może""",
    "cs": """a v na se je že s z do to o jako by jeho její jsou byl byla bylo také ale pro který která
        které podle""",
    "sk": """a v na sa je že s z do to o ako by jeho jej sú bol bola bolo tiež ale pre ktorý ktorá ktoré
        podľa""",
    "sl": """in je v na se da za so z ki pa tudi ali kot bil bila bilo ter od po""",
    "hr": """je i u na se da za od su koji koja koje kao iz sa ili ali što ne bio bila bilo biti će te""",
    "ro": """și în de la cu pe un o nu este că care din pentru mai sau dar fost sunt fi ca""",
    "hu": """és a az hogy nem is egy van meg volt de csak már mint még ez azt ki mi után""",
    "tr": """ve bir bu da de için ile olarak çok daha olan gibi sonra kadar ama ne var yok ise""",
    "lt": """ir yra kad su į iš ne tai kaip bet buvo jo jos per apie taip""",
    "lv": """un ir ka ar uz no par kas arī bet tas tā bija viņš viņa vai""",
    "sq": """dhe në të e një për me që nga është si por ka janë u""",
    "ca": """el la els les de del i que en un una per amb és no es al dels més però com""",
    "cy": """y yr a ac yn i o ar ei mae bod wedi fel gyda hefyd ond neu""",
    "tl": """ang ng mga sa na at ay si ni para kung hindi siya sila ito iyon mula rin din""",
    "id": """dan yang di ke dari untuk dengan ini itu tidak akan pada dalam adalah oleh telah juga bisa""",
    "sw": """na ya wa kwa ni za la katika kama hiyo hii huo lakini pia sana hata wakati""",
    "vi": """và của là có các cho được trong với không này một những người đã""",
}
