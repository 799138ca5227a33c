"""Japanese word list and sentence templates (written for this project). Words are joined without spaces;
the particles (は, が, を, に, で) carry the hiragana that tells Japanese from Chinese."""

CODE = "ja"
JOINER = ""
PUNCT = {",": "、", ".": "。", "?": "？", "!": "！"}

WORDS = {
    "NOUN": """家 町 男 女 子供 時間 道 世界 生活 仕事 学校 友達 家族 通り 庭 窓 夜 朝 手紙 本 机 部屋 空 森 村 電車
        駅 政府 歴史 質問 答え 週 夏 冬 国 海 山 川 台所 ドア 先生 医者 市場 新聞 隣人 車 橋 太陽 雨 風 声 顔 写真
        歌 旅 決定 考え 思い出 会社 警察 経済 社会 文化 学生 父 母 コーヒー テレビ""",
    "ADJ": "古い 新しい 大きい 小さい 良い 長い 美しい 暗い 明るい 静かな 寒い 暑い 若い 速い 大切な 簡単な 不思議な きれいな 有名な 優しい",
    "VERB": """見ました 見つけました 知っています しました 取りました あげました 言いました 行きました 来ました
        残りました 思いました 信じています 開けました 書きました 読みました 持ってきました 探しました 買いました
        売りました 話しました 待ちました 働きました 見ています 始めました 帰りました 考えました""",
    "ADV": "今日 明日 いつも よく もう まだ それから 今 ここで そこで とても ゆっくり 突然 ついに すぐに 昨日 たぶん 本当に",
    "PRON": "彼 彼女 私たち 私 彼ら",
    "NAME": "田中さん 佐藤さん 鈴木さん 高橋さん 山本さん 中村さん 小林さん 加藤さん",
    "DET": "この その あの 私の 彼の 彼女の",
    "TIME": "毎日 昨夜 次の日 去年の夏 その冬 何年も 先週 真夜中に",
}

TEMPLATES = (
    "TIME PRON は DET NOUN で NOUN を VERB",
    "NAME は DET NOUN が ADJ と 言いました",
    "PRON は ADV NOUN に 行きました",
    "DET ADJ NOUN は NOUN の 中 に ありました",
    "PRON は NOUN を VERB が, NAME は NOUN を VERB",
    "なぜ PRON は NOUN を VERB か?",
    "NAME と NAME は ADV NOUN で NOUN を VERB",
    "DET NOUN は とても ADJ です",
)
