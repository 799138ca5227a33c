"""Arabic word list and sentence templates (written for this project; grammar is approximate).

Definite forms take the article ال as a prefix, so they are derived from the bare nouns and adjectives.
"""

CODE = "ar"
PUNCT = {",": "،", "?": "؟"}

_NOUNS = """بيت مدينة رجل امرأة طفل يوم سنة وقت طريق عالم حياة يد عين عمل ماء مدرسة صديق عائلة شارع حديقة نافذة
    مساء صباح رسالة كتاب طاولة غرفة سماء غابة قرية قطار محطة حكومة تاريخ سؤال جواب ليل أسبوع صيف شتاء بلد بحر جبل
    نهر مطبخ باب معلم طبيب سوق مسجد جريدة جار سيارة جسر شمس مطر ريح صوت وجه صورة أغنية رحلة قرار مشكلة فكرة ذكرى
    شركة شرطة اقتصاد مجتمع ثقافة طالب"""
_ADJS = (
    "قديم جديد كبير صغير جميل طويل مظلم هادئ بارد حار أول أخير شاب سريع ثقيل خفيف مهم بسيط غريب نظيف مشهور"
)

WORDS = {
    "NOUN": _NOUNS,
    "NOUND": " ".join("ال" + w for w in _NOUNS.split()),
    "ADJ": _ADJS,
    "ADJD": " ".join("ال" + w for w in _ADJS.split()),
    "VERB": """كان يرى رأى يجد وجد يعرف عرف يفعل فعل يأخذ أخذ يعطي أعطى يقول قال يذهب ذهب يأتي جاء يبقى بقي يفكر
        يعتقد يفتح فتح يكتب كتب يقرأ قرأ يحمل يبحث يشتري يبيع يحكي ينتظر يعمل ينظر يريد يحب""",
    "ADV": "اليوم غدا دائما أبدا غالبا أيضا ثم الآن هنا هناك جدا ببطء فجأة أخيرا قريبا أمس ربما حقا",
    "PREP": "في مع على إلى من عند تحت أمام خلف قرب بدون ضد بين عن",
    "SUB": "عندما بينما لأن",
    "PRON": "هو هي نحن أنا هم",
    "NAME": "محمد فاطمة أحمد مريم علي سارة يوسف ليلى عمر نور",
    "TIME": "في_الصباح في_المساء في_الليل في_اليوم_التالي في_الصيف في_الشتاء منذ_سنوات كل_يوم الأسبوع_الماضي",
}

TEMPLATES = (
    "VERB NAME NOUND PREP NOUND ADJD",
    "PRON VERB NOUND, و PRON VERB ADV",
    "قال NAME إن NOUND ADJ جدا",
    "TIME VERB NAME إلى NOUND",
    "لماذا VERB PRON NOUND?",
    "كان NOUND ADJD ADV",
    "PRON لا VERB NOUND, لكن VERB NOUND",
    "SUB VERB NAME NOUND, VERB PRON NOUN ADJ",
)
